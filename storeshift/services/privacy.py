"""Data-protection requests: everything held on one person, and erasing a person."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3

from ..i18n import N_, _, format_number, ngettext
from ..storage import audit
from ..storage.db import Storage
from ..timeutil import utc_now
from . import hours
from .roster import get_person

log = logging.getLogger("storeshift.privacy")


def export_person(storage: Storage, person_id: str, now: dt.datetime | None = None) -> dict:
    """Everything storeshift holds on one person, as plain data (for a subject-access request),
    with the hours of each visit as storeshift counts them (minutes, estimated) and in all."""
    person = get_person(storage, person_id)
    now = now or utc_now()
    visits = storage.rows("SELECT * FROM visits WHERE person_id = ? ORDER BY check_in_at", (person_id,))
    sched, given = hours.schedule(storage), hours.Hours()
    for visit in visits:
        visit_span = hours.span(visit, sched, now)
        given.add(visit_span)
        visit.update(minutes=visit_span.minutes, estimated=visit_span.estimated)
    return {
        "person": person,
        "hours": {"minutes": given.minutes, "estimated_minutes": given.estimated, "text": given.text("given")},
        "badges": storage.rows("SELECT * FROM badges WHERE person_id = ?", (person_id,)),
        "visits": visits,
        "assignments": storage.rows("SELECT a.* FROM assignments a JOIN visits v ON v.id = a.visit_id "
                                    "WHERE v.person_id = ?", (person_id,)),
        "observations": storage.rows("SELECT * FROM observations WHERE person_id = ?", (person_id,)),
        "bookings": storage.rows("SELECT * FROM bookings WHERE person_id = ?", (person_id,)),
    }


def erase_person(storage: Storage, person_id: str,
                 actor: str = "shift lead") -> dict:  # not translated: the audit log's record of who
    """Remove a person and every link to them; visits and observations stay as anonymous counts
    (department and hours kept, no name). secure_delete overwrites the freed pages."""
    get_person(storage, person_id)
    counts = {}
    with storage.write(N_("erase the person")):
        badges = storage.rows("SELECT id FROM badges WHERE person_id = ?", (person_id,))
        bookings = storage.rows("SELECT id FROM bookings WHERE person_id = ?", (person_id,))
        visits = storage.rows("SELECT id FROM visits WHERE person_id = ?", (person_id,))
        notes = storage.rows("SELECT id FROM observations WHERE person_id = ?", (person_id,))
        for row in badges:
            audit.delete(storage, "badges", row["id"], actor, "erase")
        for row in bookings:
            audit.delete(storage, "bookings", row["id"], actor, "erase")
        for row in visits:
            audit.update(storage, "visits", row["id"], {"person_id": None}, actor, "anonymise")
        for row in notes:
            audit.update(storage, "observations", row["id"], {"person_id": None}, actor, "anonymise")
        audit.delete(storage, "people", person_id, actor, "erase")
        counts = {"badges": len(badges), "bookings": len(bookings), "visits anonymised": len(visits),
                  "observations anonymised": len(notes)}
    _forget_old_pages(storage)
    return counts


def _forget_old_pages(storage: Storage) -> None:
    """The WAL file still holds earlier versions of the erased rows until a checkpoint copies
    the (overwritten) pages back and empties it: do that now rather than some time later."""
    if storage.path is None or storage.conn.in_transaction:
        return
    try:
        busy = storage.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    except sqlite3.Error:
        busy = 1
    if busy:
        log.warning("erase: the WAL could not be emptied yet (another program is reading); "
                    "it will be at the next checkpoint")


def erase_summary(storage: Storage, person_id: str) -> str:
    """The sentence a confirmation dialog shows before erasing."""
    person = get_person(storage, person_id)
    visits = storage.value("SELECT count(*) FROM visits WHERE person_id = ?", (person_id,))
    notes = storage.value("SELECT count(*) FROM observations WHERE person_id = ?", (person_id,))
    kept = _("Their {visits} and {observations} stay, without their name, so the programme's totals "
             "don't change.").format(
        visits=ngettext("{count} visit", "{count} visits", visits).format(count=format_number(visits)),
        observations=ngettext("{count} observation", "{count} observations", notes).format(
            count=format_number(notes)))
    return " ".join((_("Erase {name}? Their name, email, employee id, badges and bookings are deleted for good.")
                     .format(name=person["name"]), kept))
