"""The shift-lead PIN: salted scrypt hash, attempt counting and a growing lockout that
survives restarts. The PIN itself is never stored or logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from ..errors import Refused, UserError
from ..i18n import N_, _
from ..storage.db import Storage
from ..timeutil import from_iso, local_clock, to_iso, utc_now
from . import settings

FREE_ATTEMPTS = 5
FIRST_LOCKOUT_S = 30
MAX_LOCKOUT_S = 3600
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


def _hash(pin: str, salt: bytes) -> str:
    return hashlib.scrypt(pin.encode(), salt=salt, dklen=32, **_SCRYPT).hex()


def has_pin(storage: Storage) -> bool:
    return bool(settings.get(storage, "pin_hash"))


def set_pin(storage: Storage, new_pin: str, old_pin: str | None = None, actor: str = "shift lead") -> None:
    """Set or change the PIN: 4 to 12 digits; changing it needs the old one."""
    if not (new_pin.isdigit() and new_pin.isascii() and 4 <= len(new_pin) <= 12):
        raise UserError(_("The PIN must be 4 to 12 digits."))
    if has_pin(storage):
        if old_pin is None or not check_pin(storage, old_pin):
            raise Refused(_("The current PIN is wrong; the PIN was not changed."))
    salt = secrets.token_bytes(16)
    with storage.write(N_("save the PIN")):
        settings.put(storage, "pin_hash", f"scrypt${salt.hex()}${_hash(new_pin, salt)}", actor)
        settings.put(storage, "pin_failures", "0", actor)
        settings.put(storage, "pin_locked_until", None, actor)


def is_current(storage: Storage, candidate: str) -> bool:
    """Whether candidate is the PIN, counting nothing: only for callers that hold the database file
    itself (the command line's setup, run again with the same options), never for a PIN pad."""
    stored = settings.get(storage, "pin_hash")
    if not stored:
        return False
    _, salt_hex, digest = stored.split("$")
    return hmac.compare_digest(_hash(str(candidate), bytes.fromhex(salt_hex)), digest)


def locked_until(storage: Storage, now: dt.datetime | None = None) -> dt.datetime | None:
    until = settings.get(storage, "pin_locked_until")
    if until and from_iso(until) > (now or utc_now()):
        return from_iso(until)
    return None


def check_pin(storage: Storage, pin: str, now: dt.datetime | None = None, actor: str = "shift lead") -> bool:
    """True for the right PIN. Refused while locked out; every wrong PIN is counted and audited,
    and from the fifth on the lockout doubles: 30 s, 60 s, 120 s … up to an hour."""
    now = now or utc_now()
    stored = settings.get(storage, "pin_hash")
    if not stored:
        return True
    until = locked_until(storage, now)
    if until:
        tz = settings.get(storage, "timezone")
        raise Refused(_("Too many wrong PINs. Try again after {time}.").format(time=local_clock(until, tz)))
    _scheme, salt_hex, digest = stored.split("$")
    if hmac.compare_digest(_hash(str(pin), bytes.fromhex(salt_hex)), digest):
        if int(settings.get(storage, "pin_failures") or 0):
            settings.put(storage, "pin_failures", "0", actor)
        return True
    with storage.write(N_("record the wrong PIN")):
        failures = int(settings.get(storage, "pin_failures") or 0) + 1
        settings.put(storage, "pin_failures", str(failures), actor)
        if failures >= FREE_ATTEMPTS:
            seconds = min(MAX_LOCKOUT_S, FIRST_LOCKOUT_S * 2 ** (failures - FREE_ATTEMPTS))
            settings.put(storage, "pin_locked_until", to_iso(now + dt.timedelta(seconds=seconds)), actor)
        row = storage.one("SELECT id FROM settings WHERE site_id = ? AND key = 'pin_failures'", (storage.site_id,))
        from ..storage import audit  # (a wrong PIN only: the lock screen's start needs none of it)

        audit.log(storage, "pin_failed", "settings", row["id"], actor)
    return False
