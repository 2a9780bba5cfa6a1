"""A store's first day: language, organisation key, site name, time zone, opening hours, PIN,
then roster and tasks, checked first and written in one transaction. Running it again changes
only what is given."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import i18n
from ..errors import UserError
from ..i18n import N_, _, format_number, ngettext
from ..storage.db import Storage
from . import badges, pin, roster, settings
from . import tasks as task_service
from .csvio import ImportReport

#: The order a store is set up in (the wizard's pages and the README follow it). The language
#: comes first: everything after it is said in that language.
STEPS = ("language", "organisation", "site_name", "timezone", "opening_hours", "pin", "roster", "tasks")


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
        raise UserError(_("{file} is not a storeshift organisation key file (head office writes one with "
                          "'storeshift org-key export').").format(file=path)) from None


def _check(storage: Storage, plan: StoreSetup) -> dict[str, object]:
    """Every value parsed before anything is written: {setting: value} for the plain settings."""
    if plan.org_key_file and plan.new_organisation:
        raise UserError(_("Choose either head office's organisation key or a new organisation, not both."))
    if plan.org_key_file:
        read_key_file(plan.org_key_file)
    if plan.new_organisation is not None and not plan.new_organisation.strip():
        raise UserError(_("The new organisation needs a name."))
    values: dict[str, object] = {}
    for key in ("site_name", "timezone", "language", "opening_hours"):
        given = getattr(plan, key)
        if given is None:
            continue
        try:
            values[key] = settings.BY_KEY[key].parse(given)
        except ValueError as exc:
            raise UserError(_("{setting}: {problem}.").format(setting=settings.BY_KEY[key].label, problem=exc)) \
                from None
    if plan.pin is not None and not (plan.pin.isdigit() and plan.pin.isascii() and 4 <= len(plan.pin) <= 12):
        raise UserError(_("The PIN must be 4 to 12 digits."))
    return values


def _organisation(storage: Storage, plan: StoreSetup, actor: str) -> str | None:
    people = storage.value("SELECT count(*) FROM people")
    current = badges.org_key(storage)
    if plan.org_key_file:
        key_id = badges.import_org_key(storage, plan.org_key_file)
        return None if current and current["key_id"] == key_id else _(
            "Organisation key: {key} (head office's)").format(key=key_id)
    if plan.new_organisation is None:
        return None
    name = " ".join(plan.new_organisation.split())
    if current and current["name"] == name:
        return None
    if people:
        raise UserError(_("This database already has people whose badges are signed with its organisation key; "
                          "a new organisation needs a new, empty database."))
    key_id = badges.start_organisation(storage, name)
    return _("New organisation: {name} (key {key})").format(name=name, key=key_id)


def apply(storage: Storage, plan: StoreSetup, actor: str = "setup") -> list[str]:
    """Set the store up as planned, all or nothing; returns one line per thing that changed."""
    values = _check(storage, plan)
    same_pin = plan.pin is not None and pin.is_current(storage, plan.pin)
    if plan.pin is not None and not same_pin and pin.has_pin(storage) and plan.current_pin is None:
        raise UserError(_("This store already has a shift-lead PIN; give the current one to change it "
                          "(--current-pin)."))
    changes: list[str] = []
    with storage.write(N_("set up the store")):
        done = _organisation(storage, plan, actor)
        if done:
            changes.append(done)
        for key, value in values.items():
            if settings.get(storage, key) != value:
                changes.append(_("{setting}: {value}").format(setting=settings.BY_KEY[key].label,
                                                             value=_shown(key, value)))
            if key == "opening_hours":
                save_opening_hours(storage, str(value), actor)
            elif settings.get(storage, key) != value:
                settings.put(storage, key, value, actor)
        if plan.pin is not None and not same_pin:
            pin.set_pin(storage, plan.pin, plan.current_pin, actor)
            changes.append(_("Shift-lead PIN set"))
        if plan.roster is not None:
            report = roster.import_people(storage, plan.roster, skip_invalid=plan.skip_invalid, actor=actor,
                                          mapping=plan.roster_mapping)
            changes.append(_("Roster: {summary}").format(summary=report.summary("people")))
            changes.extend(_bad_lines(report))
        if plan.tasks is not None:
            report = task_service.import_tasks(storage, plan.tasks, skip_invalid=plan.skip_invalid, actor=actor)
            changes.append(_("Tasks: {summary}").format(summary=report.summary("tasks")))
            changes.extend(_bad_lines(report))
        # Marked once something is set: `storeshift setup` with nothing given only creates the
        # database, and the shift-lead window then opens the wizard on it.
        if changes and not storage.value("SELECT count(*) FROM settings WHERE site_id = ? AND key = 'setup_done'",
                                         (storage.site_id,)):
            settings.put(storage, "setup_done", "1", actor)
    return changes


def save_opening_hours(storage: Storage, text: str, actor: str = "shift lead") -> str:
    """Store the opening hours and the closing times that follow from them, in one transaction;
    returns the hours as stored. Visits nobody checked out end at each weekday's closing time
    (closing_time_mon … _sun, empty on a closed day); the site's own closing time, for a closed
    day, is the week's latest, so no real visit is cut short. Whoever saves opening hours (the
    Settings page too) saves them through this, or the closing times stay the old ones."""
    try:
        hours = settings.BY_KEY["opening_hours"].parse(text)
    except ValueError as exc:
        raise UserError(_("{setting}: {problem}.").format(setting=settings.BY_KEY["opening_hours"].label,
                                                          problem=exc)) from None
    days = settings.weekly_hours(hours)
    wanted = {"opening_hours": hours, "closing_time": settings.latest_closing(days)}
    wanted.update({day_key: pair[1] if pair else None for day_key, pair in zip(settings.WEEKDAY_CLOSING_KEYS, days)})
    with storage.write(N_("save the opening hours")):
        for key, value in wanted.items():
            if settings.get(storage, key) != value:
                settings.put(storage, key, value, actor)
    return hours


def describe_hours(text: str) -> str:
    """Opening hours as the current language writes them: 'lun.-ven. 09:00-21:00, dim. fermé'
    ('Mo.-Fr. 09:00-21:00, So. geschlossen'). settings.weekly_hours reads this back, so a
    form may show it and save what it shows."""
    days = settings.weekly_hours(text)
    names = i18n.weekday_names("abbreviated")
    parts, start = [], 0
    for i in range(1, 8):
        if i == 7 or days[i] != days[start]:
            span = names[start] if i - 1 == start else f"{names[start]}-{names[i - 1]}"
            hours = _("closed") if days[start] is None else f"{days[start][0]}-{days[start][1]}"
            parts.append(f"{span} {hours}")
            start = i
    return ", ".join(parts)


def _shown(key: str, value: object) -> str:
    """A setting's value as a person reads it."""
    if key == "language":
        return i18n.language_name(str(value))
    if key == "opening_hours":
        return describe_hours(str(value))
    return str(value)


def _bad_lines(report: ImportReport) -> list[str]:
    return ["  " + _("skipped: {reason}").format(reason=error) for error in report.errors]


def summary(storage: Storage) -> list[str]:
    """The store as set up, one line per step, for the end of `storeshift setup` and the wizard."""
    key = badges.org_key(storage)
    hours = settings.get(storage, "opening_hours")
    people = storage.value("SELECT count(*) FROM people WHERE active = 1")
    task_count = storage.value("SELECT count(*) FROM tasks WHERE active = 1")
    organisation = (_("{name} (key {key})").format(name=key["name"], key=key["key_id"]) if key["name"]
                    else _("key {key}").format(key=key["key_id"]))
    line = _("{setting}: {value}")
    return [line.format(setting=_("Organisation"), value=organisation),
            line.format(setting=settings.BY_KEY["site_name"].label, value=settings.get(storage, "site_name")),
            line.format(setting=settings.BY_KEY["timezone"].label, value=settings.get(storage, "timezone")),
            line.format(setting=settings.BY_KEY["language"].label, value=_shown("language", settings.get(
                storage, "language"))),
            line.format(setting=settings.BY_KEY["opening_hours"].label, value=describe_hours(hours)),
            line.format(setting=_("Shift-lead PIN"), value=_("set") if pin.has_pin(storage) else _("not set")),
            line.format(setting=_("Roster"), value=ngettext("{count} person", "{count} people", people).format(
                count=format_number(people))),
            line.format(setting=_("Tasks"), value=ngettext("{count} task", "{count} tasks", task_count).format(
                count=format_number(task_count)))]
