"""The kiosk's rules without its screens: a scan read (also from a scanner set to AZERTY), scans the
database could not take kept and retried, the departure-time guess, the PIN lockout sentence,
the debrief's autosave and the PIN a full-screen kiosk needs. The kiosk window (through its
writer thread), the shift-lead window's kiosk and `storeshift scan` all use it; no Qt here."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Callable

from ..errors import DamagedDatabase, DatabaseBusy, DiskFull, NewerDatabase, ReadOnlyDatabase, UserError
from ..i18n import N_, _, format_list, ngettext
from ..storage.db import Storage
from ..timeutil import local, local_clock, utc_now
from . import observations, pin, roster, settings, visits

log = logging.getLogger("storeshift.kiosk")

#: Errors of the database itself (as opposed to a rule refusing something): the scan is kept.
DATABASE_ERRORS = (DatabaseBusy, DiskFull, ReadOnlyDatabase, DamagedDatabase, NewerDatabase)
#: Refusals that a scanner on the wrong keyboard layout can cause: worth a second reading.
LAYOUT_REASONS = frozenset({"not_ours", "damaged", "other_org"})
#: A kept scan is tried again this often...
RETRY_S = 3
#: ...and given up after this many tries (two minutes and more): a database that has not come
#: back by then needs the shift lead, and the kiosk must not hoard scans for ever.
RETRY_LIMIT = 40
#: A forgotten check-out is guessed at most this long after arriving (or at closing time).
GUESS_AFTER_ARRIVAL = dt.timedelta(hours=3)
#: The banner for scans recorded late names this many at most.
SUMMARY_NAMES = 5

KIOSK_NEEDS_PIN = N_("Set the shift-lead PIN first (shift-lead window → Settings): without it anyone could "
                     "leave kiosk mode.")

# A scanner that sends US key positions to a PC set to French or Belgian AZERTY (or the
# reverse) turns the digit row into these characters and swaps A/Q, Z/W and M.
_AZERTY = {
    "à": "0", "&": "1", "é": "2", '"': "3", "'": "4", "(": "5", "-": "6", "§": "6", "è": "7",
    "_": "8", "!": "8", "ç": "9", ")": "-", "°": "-",
    "a": "q", "q": "a", "z": "w", "w": "z", "A": "Q", "Q": "A", "Z": "W", "W": "Z",
    "?": "M", ",": "m", ";": "M",
}
_AZERTY_TABLE = str.maketrans(_AZERTY)


def from_azerty(text: str) -> str:
    """The code as it was printed, from what an AZERTY layout made of it."""
    return text.translate(_AZERTY_TABLE)


def require_pin(storage: Storage, windowed: bool) -> None:
    """A full-screen kiosk needs a shift-lead PIN: without one, the PIN pad lets anyone leave
    kiosk mode or confirm a check-in by name. UserError with the sentence to show otherwise."""
    if not windowed and not pin.has_pin(storage):
        raise UserError(_(KIOSK_NEEDS_PIN))


def read_scan(storage: Storage, payload: str, at: dt.datetime | None = None) -> visits.ScanResult:
    """visits.scan, and when the badge is refused for a reason a keyboard layout can cause, a
    second reading of the payload as an AZERTY layout typed it. UserError when the database
    cannot take the scan."""
    result = visits.scan(storage, payload, at)
    if result.kind == visits.REFUSED and result.reason in LAYOUT_REASONS:
        remapped = from_azerty(payload)
        if remapped != payload:
            second = visits.scan(storage, remapped, at)
            if second.accepted or second.reason not in LAYOUT_REASONS:
                log.info("scan read with the AZERTY layout mapping")
                return second
    return result


def departure_guess(visit: dict, tz: str) -> dt.datetime:
    """When a person who did not scan out probably left (site-local): closing time, or three
    hours after arriving if that is earlier, on the quarter hour before."""
    arrived, closed = local(visit["check_in_at"], tz), local(visit["check_out_at"], tz)
    guess = min(closed, arrived + GUESS_AFTER_ARRIVAL)
    return guess.replace(minute=guess.minute - guess.minute % 15, second=0, microsecond=0)


def step_departure(visit: dict, current: dt.datetime, minutes: int, tz: str) -> dt.datetime:
    """The guess moved by minutes, never before arriving nor after closing time."""
    arrived, closed = local(visit["check_in_at"], tz), local(visit["check_out_at"], tz)
    return max(arrived, min(closed, current + dt.timedelta(minutes=minutes)))


def debrief_fields(values: dict) -> dict:
    """What a debrief form holds, as an observation: the text (or the quote alone), with the
    usual category and impact when the visitor chose none."""
    text = (values.get("text") or "").strip() or (values.get("quote") or "").strip()
    return {"category": values.get("category") or "customer_voice", "impact": values.get("impact") or "medium",
            "text": text, "quote": values.get("quote") or None}


def lockout_sentence(until: dt.datetime, tz: str) -> str:
    return _("Too many wrong PINs. Try again after {time}.").format(time=local_clock(until, tz))


def outcome_phrase(result: visits.ScanResult) -> str:
    """One scan in a few words, for the banner that lists scans recorded late."""
    name = result.person["name"] if result.person else _("a badge")
    if result.kind == visits.CHECKED_IN:
        return _("{name} checked in").format(name=name)
    if result.kind == visits.CHECKED_OUT:
        return _("{name} checked out").format(name=name)
    if result.kind == visits.REPEAT:
        return _("{name} already scanned").format(name=name)
    return _("{name} refused").format(name=name)


def late_summary(results: list[visits.ScanResult]) -> str:
    """'3 scans recorded: Ann checked in, Bo checked out, Cy checked in.' (the people have gone:
    their welcome screens are not replayed)."""
    head = ngettext("{count} scan recorded", "{count} scans recorded", len(results)).format(count=len(results))
    phrases = [outcome_phrase(r) for r in results]
    if len(phrases) > SUMMARY_NAMES:  # a banner, not a list: the board has them all
        rest = len(phrases) - SUMMARY_NAMES + 1
        phrases = phrases[:SUMMARY_NAMES - 1] + [ngettext("{count} other scan", "{count} other scans", rest).format(count=rest)]
    return _("{scans}: {outcomes}.").format(scans=head, outcomes=format_list(phrases))


def kept_sentence(waiting: int) -> str:
    return ngettext("Your scan is saved and will be recorded. You can go ahead.",
                    "{count} scans are saved and will be recorded. You can go ahead.", waiting).format(count=waiting)


def gave_up_sentence(count: int) -> str:
    return ngettext("{count} scan could not be recorded. Please tell the shift lead.",
                    "{count} scans could not be recorded. Please tell the shift lead.", count).format(count=count)


@dataclass
class Pending:
    """A scan the database could not take yet, with the time it was made (it is recorded at that time)."""
    token: int
    payload: str
    at: dt.datetime
    tries: int = 1


@dataclass
class Submitted:
    """What became of one scan: its result, or kept (result None) with how many wait."""
    token: int
    result: visits.ScanResult | None
    waiting: int = 0

    @property
    def kept(self) -> bool:
        return self.result is None


@dataclass
class Retried:
    """What one retry round recorded (token, result), how many still wait and how many were given up."""
    recorded: list[tuple[int, visits.ScanResult]] = field(default_factory=list)
    waiting: int = 0
    gave_up: int = 0


@dataclass(frozen=True)
class PinVerdict:
    ok: bool
    sentence: str = ""
    locked_ms: int = 0


class KioskSession:
    """One kiosk's work on one database connection. Not thread-safe: the kiosk window runs it on
    its writer thread (with that thread's own connection); the command line calls it directly."""

    def __init__(self, storage: Storage, clock: Callable[[], dt.datetime] = utc_now):
        self.storage = storage
        self.clock = clock
        self.pending: list[Pending] = []
        #: The debrief note of each visit, so that two quick autosaves add one note, not two.
        self._debriefs: dict[str, str] = {}
        self._unsaved: tuple[str, dict] | None = None
        self._next_token = 0

    # --- scans --------------------------------------------------------------------------------
    def token(self) -> int:
        self._next_token += 1
        return self._next_token

    def submit(self, payload: str, at: dt.datetime | None = None, token: int | None = None) -> Submitted:
        """Record one scan, or keep it when the database cannot take it (busy, full, read-only):
        it is tried again by retry(), at its own time. Scans kept earlier go first, so a later
        scan never overtakes them."""
        token = self.token() if token is None else token
        at = at or self.clock()
        if self.pending:
            self.pending.append(Pending(token, payload, at, tries=0))
            return Submitted(token, None, len(self.pending))
        try:
            return Submitted(token, read_scan(self.storage, payload, at))
        except DATABASE_ERRORS as exc:
            log.warning("scan not recorded (%s); kept to try again", type(exc).__name__)
            self.pending.append(Pending(token, payload, at))
            return Submitted(token, None, len(self.pending))

    def retry(self) -> Retried:
        """Try the kept scans again, oldest first, until the database refuses one; after
        RETRY_LIMIT tries of the oldest, all kept scans are given up (and logged)."""
        done = Retried()
        self._retry_debrief()
        while self.pending:
            head = self.pending[0]
            try:
                result = read_scan(self.storage, head.payload, head.at)
            except DATABASE_ERRORS:
                head.tries += 1
                if head.tries >= RETRY_LIMIT:
                    done.gave_up = len(self.pending)
                    log.error("gave up recording %d scan(s) after %d tries", done.gave_up, head.tries)
                    self.pending.clear()
                break
            self.pending.pop(0)
            log.info("scan recorded on retry")
            done.recorded.append((head.token, result))
        done.waiting = len(self.pending)
        return done

    @property
    def waiting(self) -> bool:
        """Something (a scan or a debrief) waits to be written."""
        return bool(self.pending) or self._unsaved is not None

    def check_in_by_name(self, person_id: str, at: dt.datetime | None = None) -> visits.ScanResult:
        """A person without their badge, confirmed by the shift lead's PIN: checked in, with what
        the welcome screen shows (as a scan's result)."""
        at = at or self.clock()
        visit = visits.check_in_manually(self.storage, person_id, actor="shift lead at kiosk", now=at)
        log.info("manual check-in visit=%s", visit["id"])
        person = roster.get_person(self.storage, person_id)
        tz = settings.site_timezone(self.storage)
        return visits.ScanResult(visits.CHECKED_IN, _("Welcome, {name}!").format(name=person["name"]), person, visit,
                                 booking=visits.todays_booking(self.storage, person_id, at, tz))

    def close_forgotten(self, now: dt.datetime | None = None) -> int:
        return visits.close_forgotten_visits(self.storage, now or self.clock())

    # --- the forgotten check-out ----------------------------------------------------------------
    def correct_departure(self, visit_id: str, left_at: dt.datetime | None) -> dict:
        visit = visits.correct_departure(self.storage, visit_id, left_at, actor="visitor", now=self.clock())
        log.info("departure confirmed visit=%s corrected=%s", visit_id, left_at is not None)
        return visit

    # --- the debrief ----------------------------------------------------------------------------
    def save_debrief(self, visit_id: str, values: dict) -> str | None:
        """Store what the visitor wrote (the first save adds the note, later ones edit it); the
        note's id, or None when there is nothing to store. A database error keeps the words in
        memory (tried again with the kept scans) and is raised; so is a rule's refusal."""
        fields = debrief_fields(values)
        if not fields["text"]:
            return self._debriefs.get(visit_id)
        try:
            return self._store_debrief(visit_id, fields)
        except DATABASE_ERRORS:
            log.warning("debrief not saved; kept to try again")
            self._unsaved = (visit_id, fields)
            raise

    def _store_debrief(self, visit_id: str, fields: dict) -> str:
        observation_id = self._debriefs.get(visit_id)
        if observation_id is None:
            observation_id = observations.add_observation(self.storage, visit_id=visit_id, actor="kiosk",
                                                          **fields)["id"]
            log.info("debrief saved observation=%s", observation_id)
        else:
            observations.edit_observation(self.storage, observation_id, actor="kiosk", **fields)
        self._debriefs[visit_id] = observation_id
        if self._unsaved is not None and self._unsaved[0] == visit_id:
            self._unsaved = None  # these words supersede the ones kept
        return observation_id

    def _retry_debrief(self) -> None:
        """Words a visitor typed before the database refused them, once their visitor has gone."""
        if self._unsaved is None:
            return
        visit_id, fields = self._unsaved
        try:
            self._store_debrief(visit_id, fields)
        except DATABASE_ERRORS:
            return
        except UserError as exc:  # a rule refuses them now (the visit was erased): nothing to keep
            log.warning("kept debrief dropped (%s)", type(exc).__name__)
        else:
            log.info("debrief saved on retry")
        self._unsaved = None

    # --- the PIN --------------------------------------------------------------------------------
    def check_pin(self, entered: str) -> PinVerdict:
        """The shift lead's PIN at the kiosk: right, wrong, or locked out (with the sentence and
        how long the pad stays locked)."""
        now = utc_now()  # the real clock, as the lockout is stored by it (a kiosk's clock may be a test's)
        tz = settings.site_timezone(self.storage)
        try:
            ok = pin.check_pin(self.storage, entered, now=now)
        except UserError as exc:
            until = pin.locked_until(self.storage, now)
            return PinVerdict(False, str(exc), self._locked_ms(until, now))
        if ok:
            return PinVerdict(True)
        log.info("wrong shift-lead PIN at the kiosk")
        until = pin.locked_until(self.storage, now)
        if until is not None:
            return PinVerdict(False, lockout_sentence(until, tz), self._locked_ms(until, now))
        return PinVerdict(False, _("That PIN is not right. Please try again."))

    @staticmethod
    def _locked_ms(until: dt.datetime | None, now: dt.datetime) -> int:
        return 0 if until is None else int(max(1.0, (until - now).total_seconds()) * 1000)
