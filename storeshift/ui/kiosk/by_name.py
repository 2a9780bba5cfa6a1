"""A visitor without their badge, found by name: checked in, or (when already on site) checked
out to the same goodbye and debrief as a badge gives, once the shift lead's PIN confirms it."""

from __future__ import annotations

import logging

from ...errors import UserError
from ...i18n import _
from ...services import roster, visits
from ...services.names import isolate

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
    """The PIN was right for a check-in by name (a check-out by name is recorded by the
    kiosk's writer, see KioskWindow.on_pin_verdict)."""
    window._check_in_chosen()
