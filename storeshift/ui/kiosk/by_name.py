"""A visitor without their badge, found by name: checked in, or (when already on site) checked
out to the same goodbye and debrief as a badge gives, once the shift lead's PIN confirms it."""

from __future__ import annotations

import datetime as dt
import logging

from ...errors import UserError
from ...i18n import _
from ...services import hours, roster, visits
from ...services.names import isolate
from ...storage.db import Storage
from ...timeutil import local, local_day_bounds

log = logging.getLogger("storeshift.ui.kiosk")


def choose(window, person_id: str) -> None:
    """The visitor tapped their name: ask for the shift lead's PIN to check them in or out."""
    window._chosen_person = person_id
    try:
        name = roster.get_person(window.storage, person_id)["name"]
        on_site = visits.open_visit(window.storage, person_id) is not None
    except UserError as exc:
        window.show_banner(str(exc))
        return
    if on_site:
        window.pin_page.open("check_out", _("Checking out {name}").format(name=isolate(name)),
                             _("Shift lead: confirm with your PIN"))
    else:
        window.pin_page.open("check_in", _("Checking in {name}").format(name=isolate(name)),
                             _("Shift lead: confirm with your PIN"))
    window._show("pin", window._settings["debrief_idle_s"])
    window.pin_page.pad.focus()


def confirmed(window) -> None:
    """The PIN was right: do what the visitor came to the kiosk for."""
    if window.pin_page.purpose != "check_out":
        window._check_in_chosen()
        return
    person_id = window._chosen_person
    now = window.now()
    try:
        visit = visits.open_visit(window.storage, person_id)
        if visit is None:  # checked out meanwhile (their badge was found, or the shift lead did it)
            raise UserError(_("This person has already checked out."))
        visit = visits.check_out_manually(window.storage, visit["id"], actor="shift lead at kiosk", now=now)
        person = roster.get_person(window.storage, person_id)
        given = minutes_given(window.storage, person_id, visit, now)
    except UserError as exc:
        log.warning("check-out by name refused (%s)", type(exc).__name__)
        window.show_idle()
        window.show_banner(str(exc))
        return
    log.info("check-out by name visit=%s", visit["id"])
    on_day, total, day = given
    result = visits.ScanResult(visits.CHECKED_OUT, _("Thank you, {name}!").format(name=person["name"]), person,
                               visit, minutes_today=on_day, minutes_total=total, day=day)
    # Shown as a badge's check-out is: the goodbye and its debrief.
    present = getattr(window, "_present", None) or window._show_result
    present(result)


def minutes_given(storage: Storage, person_id: str, visit: dict, now: dt.datetime) -> tuple[int, int, dt.date]:
    """(minutes on the day the visit began, minutes in all, that day), as a badge check-out tells them."""
    sched = hours.schedule(storage)
    day = local(visit["check_in_at"], sched.timezone).date()
    day_start, day_end = local_day_bounds(day, sched.timezone)
    on_day = total = 0
    for row in storage.rows(f"SELECT {', '.join(hours.SPAN_COLUMNS)} FROM visits WHERE person_id = ?",
                            (person_id,)):
        minutes = hours.span(row, sched, now).minutes
        total += minutes
        if day_start <= row["check_in_at"] < day_end:
            on_day += minutes
    return on_day, total, day
