"""A store's first day: organisation key, site name, time zone, language, opening hours, PIN,
then roster and tasks, checked first and written in one transaction. Running it again changes
only what is given."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import i18n
from ..errors import UserError
from ..storage.db import Storage
from . import badges, pin, roster, settings
from . import tasks as task_service
from .csvio import ImportReport

#: The order a store is set up in (the wizard's pages and the README follow it).
STEPS = ("organisation", "site_name", "timezone", "language", "opening_hours", "pin", "roster", "tasks")


@dataclass
class StoreSetup:
    """What to set; None leaves a value as it is."""
    org_key_file: Path | None = None
    new_organisation: str | None = None
    site_name: str | None = None
    timezone: str | None = None
    language: str | None = None
    opening_hours: str | None = None
    pin: str | None = None
    current_pin: str | None = None
    roster: Path | bytes | None = None
    roster_mapping: dict[str, str] | None = None
    tasks: Path | bytes | None = None
    skip_invalid: bool = False


def is_new(storage: Storage) -> bool:
    """A database nobody has set up yet: no roster, no tasks, no PIN and the site still unnamed."""
    return (not storage.value("SELECT count(*) FROM people") and not storage.value("SELECT count(*) FROM tasks")
            and not pin.has_pin(storage) and not storage.value(
                "SELECT count(*) FROM settings WHERE site_id = ? AND key = 'setup_done'", (storage.site_id,))
            and settings.get(storage, "site_name") == settings.BY_KEY["site_name"].default)


def read_key_file(path: Path) -> dict:
    """The organisation key file's contents; UserError when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != "storeshift-org-key":
            raise ValueError
        return data
    except (OSError, ValueError, AttributeError):
        raise UserError(f"{path} is not a storeshift organisation key file "
                        "(head office writes one with 'storeshift org-key export').") from None


def _check(storage: Storage, plan: StoreSetup) -> dict[str, object]:
    """Every value parsed before anything is written: {setting: value} for the plain settings."""
    if plan.org_key_file and plan.new_organisation:
        raise UserError("Choose either head office's organisation key or a new organisation, not both.")
    if plan.org_key_file:
        read_key_file(plan.org_key_file)
    if plan.new_organisation is not None and not plan.new_organisation.strip():
        raise UserError("The new organisation needs a name.")
    values: dict[str, object] = {}
    for key in ("site_name", "timezone", "language", "opening_hours"):
        given = getattr(plan, key)
        if given is None:
            continue
        try:
            values[key] = settings.BY_KEY[key].parse(given)
        except ValueError as exc:
            raise UserError(f"{settings.BY_KEY[key].label}: {exc}.") from None
    if plan.pin is not None and not (plan.pin.isdigit() and plan.pin.isascii() and 4 <= len(plan.pin) <= 12):
        raise UserError("The PIN must be 4 to 12 digits.")
    return values


def _organisation(storage: Storage, plan: StoreSetup, actor: str) -> str | None:
    people = storage.value("SELECT count(*) FROM people")
    current = badges.org_key(storage)
    if plan.org_key_file:
        key_id = badges.import_org_key(storage, plan.org_key_file)
        return None if current and current["key_id"] == key_id else f"organisation key {key_id} (head office's)"
    if plan.new_organisation is None:
        return None
    name = " ".join(plan.new_organisation.split())
    if current and current["name"] == name:
        return None
    if people:
        raise UserError("This database already has people whose badges are signed with its organisation key; "
                        "a new organisation needs a new, empty database.")
    key_id = badges.start_organisation(storage, name)
    return f"new organisation '{name}' with key {key_id}"


def apply(storage: Storage, plan: StoreSetup, actor: str = "setup") -> list[str]:
    """Set the store up as planned, all or nothing; returns one line per thing that changed."""
    values = _check(storage, plan)
    same_pin = plan.pin is not None and pin.is_current(storage, plan.pin)
    if plan.pin is not None and not same_pin and pin.has_pin(storage) and plan.current_pin is None:
        raise UserError("This store already has a shift-lead PIN; give the current one to change it "
                        "(--current-pin).")
    changes: list[str] = []
    with storage.write("set up the store"):
        done = _organisation(storage, plan, actor)
        if done:
            changes.append(done)
        for key, value in values.items():
            if settings.get(storage, key) != value:
                settings.put(storage, key, value, actor)
                changes.append(f"{settings.BY_KEY[key].label.lower()}: {value}")
            if key == "opening_hours":
                # Visits nobody checked out end at each weekday's closing time; the site's own
                # closing time (for a closed day) is the week's latest, so no real visit is cut short.
                days = settings.weekly_hours(str(value))
                closings = {"closing_time": settings.latest_closing(days)}
                closings.update({day_key: pair[1] if pair else None
                                 for day_key, pair in zip(settings.WEEKDAY_CLOSING_KEYS, days)})
                for closing_key, closing in closings.items():
                    if settings.get(storage, closing_key) != closing:
                        settings.put(storage, closing_key, closing, actor)
        if plan.pin is not None and not same_pin:
            pin.set_pin(storage, plan.pin, plan.current_pin, actor)
            changes.append("shift-lead PIN set")
        if plan.roster is not None:
            report = roster.import_people(storage, plan.roster, skip_invalid=plan.skip_invalid, actor=actor,
                                          mapping=plan.roster_mapping)
            changes.append(f"roster: {report.summary('people')}")
            changes.extend(_bad_lines(report))
        if plan.tasks is not None:
            report = task_service.import_tasks(storage, plan.tasks, skip_invalid=plan.skip_invalid, actor=actor)
            changes.append(f"tasks: {report.summary('tasks')}")
            changes.extend(_bad_lines(report))
        # Marked once something is set: `storeshift setup` with nothing given only creates the
        # database, and the shift-lead window then opens the wizard on it.
        if changes and not storage.value("SELECT count(*) FROM settings WHERE site_id = ? AND key = 'setup_done'",
                                         (storage.site_id,)):
            settings.put(storage, "setup_done", "1", actor)
    return changes


def _bad_lines(report: ImportReport) -> list[str]:
    return [f"  skipped {error}" for error in report.errors]


def summary(storage: Storage) -> list[str]:
    """The store as set up, one line per step, for the end of `storeshift setup` and the wizard."""
    key = badges.org_key(storage)
    hours = settings.get(storage, "opening_hours")
    people = storage.value("SELECT count(*) FROM people WHERE active = 1")
    task_count = storage.value("SELECT count(*) FROM tasks WHERE active = 1")
    organisation = f"{key['name']} (key {key['key_id']})" if key["name"] else f"key {key['key_id']}"
    return [f"organisation: {organisation}",
            f"site name: {settings.get(storage, 'site_name')}",
            f"time zone: {settings.get(storage, 'timezone')}",
            f"language: {i18n.language_name(settings.get(storage, 'language'))}",
            f"opening hours: {hours}",
            f"shift-lead PIN: {'set' if pin.has_pin(storage) else 'not set'}",
            f"roster: {people} {'person' if people == 1 else 'people'}",
            f"tasks: {task_count}"]
