"""Signed QR badges: the organisation key, payloads, verification, issue and revoke.

A payload reads SS1-KKKK-PPPPPPPPPPPPPPPPPPPPPPPPPP-N-SSSSSSSSSSSSSSSS: version, the
organisation key's id, the person's id (base32 of the UUID), the badge serial and an
HMAC-SHA256 tag (80 bits). Only upper-case letters, digits and '-' are used: they fit
the QR alphanumeric mode (small codes) and survive keyboard-wedge scanners.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..errors import NotFound, UserError
from ..i18n import N_, _, _l
from ..storage import audit
from ..storage.db import Storage, now_iso
from ..storage.orgkey import create_org_key, key_id_of  # noqa: F401 (part of this module's API)

VERSION = "SS1"
PAYLOAD_RE = re.compile(r"^SS1-([A-Z2-7]{4})-([A-Z2-7]{26})-([1-9][0-9]{0,5})-([A-Z2-7]{16})$")


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def start_organisation(storage: Storage, name: str) -> str:
    """A new organisation's own key, named, in a database with no badges yet (a store that starts
    on its own rather than with head office's key); returns the key id."""
    secret_hex = secrets.token_hex(32)
    key_id = key_id_of(secret_hex)
    with storage.write(N_("create the organisation key")):
        if storage.value("SELECT count(*) FROM badges"):
            raise UserError(_("This database already has badges signed with its organisation key; "
                              "a new organisation needs a new, empty database."))
        storage.conn.execute("DELETE FROM organisation")
        storage.memo.pop("org_key", None)
        storage.db.table("organisation").insert({"key_id": key_id, "secret": secret_hex, "name": name,
                                           "created_at": now_iso()})
    return key_id


def org_key(storage: Storage) -> dict:
    return storage.one("SELECT key_id, secret, name, created_at FROM organisation LIMIT 1")


def export_org_key(storage: Storage, out: Path) -> str:
    key = org_key(storage)
    out = Path(out)
    out.write_text(json.dumps({"format": "storeshift-org-key", "version": 1, **key}, indent=2))
    try:
        out.chmod(0o600)
    except OSError:
        pass
    return key["key_id"]


def import_org_key(storage: Storage, source: Path) -> str:
    """Adopt another database's organisation key; only into a database with no badges yet,
    because badges already printed would stop working."""
    try:
        data = json.loads(Path(source).read_text())
        secret_hex = data["secret"]
        bytes.fromhex(secret_hex)
        if data.get("format") != "storeshift-org-key" or key_id_of(secret_hex) != data["key_id"]:
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(_("{file} is not a storeshift organisation key file.").format(file=source)) from None
    with storage.write(N_("import the organisation key")):
        current = org_key(storage)
        if current and current["key_id"] == data["key_id"]:
            return data["key_id"]
        if storage.value("SELECT count(*) FROM badges") or storage.value("SELECT count(*) FROM people"):
            raise UserError(_("This database already has people and badges signed with its own key; "
                              "import the organisation key into a new, empty database."))
        old_key = audit.chain_key(storage)
        storage.conn.execute("DELETE FROM organisation")
        storage.memo.pop("org_key", None)
        storage.db.table("organisation").insert({"key_id": data["key_id"], "secret": secret_hex,
                                           "name": data.get("name", ""), "created_at": now_iso()})
        # The chain is keyed from the organisation secret: re-link it with the new one, then
        # audit the exchange (the old key's entry says it was deleted).
        audit.rekey(storage, old_key)
        if current:
            audit.log(storage, "delete", "organisation", current["key_id"], actor="shift lead")
        audit.log(storage, "insert", "organisation", data["key_id"], actor="shift lead")
    return data["key_id"]


def _sign(secret_hex: str, body: str) -> str:
    return _b32(hmac.new(bytes.fromhex(secret_hex), body.encode(), hashlib.sha256).digest()[:10])


def make_payload(key: dict, person_id: str, serial: int) -> str:
    body = f"{VERSION}-{key['key_id']}-{_b32(uuid.UUID(person_id).bytes)}-{serial}"
    return f"{body}-{_sign(key['secret'], body)}"


# Reasons a badge is refused, each with the sentence a visitor reads and what to do.
REASONS = {
    "not_ours": _l("This is not a storeshift badge. Please ask the shift lead."),
    "damaged": _l("This badge could not be read correctly. Please try again, or ask the shift lead."),
    "other_org": _l("This badge belongs to another organisation. Please ask the shift lead."),
    "replaced": _l("This badge has been replaced. Please use your new badge, or ask the shift lead."),
    "revoked": _l("This badge is no longer valid. Please ask the shift lead for a new one."),
    "inactive": _l("Your place on the programme is not active at the moment. Please ask the shift lead."),
    "unknown_person": _l("We don't know this badge here yet. Please ask the shift lead to check you in."),
}


@dataclass(frozen=True)
class BadgeCheck:
    ok: bool
    reason: str | None = None
    person: dict | None = None
    serial: int | None = None

    @property
    def message(self) -> str:
        return str(REASONS.get(self.reason, ""))


def normalise(payload: str) -> str:
    """Strip what scanners add around a code (control characters, spaces) and fold case."""
    text = "".join(ch for ch in str(payload) if not (ch < " " or "\x7f" <= ch <= "\x9f")).strip()
    # A payload is ASCII. Folding anything else would let look-alikes through: 'ſ', 'ß' and
    # 'ı' upper-case to 'S', 'SS' and 'I', so they are left as they are and fail the pattern.
    return text.upper() if text.isascii() else text


def _cached_key(storage: Storage, fresh: bool = False) -> dict | None:
    """The organisation key, read once per connection: a scan need not read it every time. It
    changes only in a database with no badges yet (start_organisation, import_org_key), and a
    refusal that a stale key could explain reads it again (verify)."""
    cached = storage.memo.get("org_key")
    if cached is None or fresh:
        cached = org_key(storage)
        storage.memo["org_key"] = cached
    return cached


def verify(storage: Storage, payload: str, key: dict | None = None) -> BadgeCheck:
    text = normalise(payload)
    match = PAYLOAD_RE.match(text)
    if not match:
        return BadgeCheck(False, "not_ours")
    if key is not None:
        return _verify(storage, text, match, key)
    check = _verify(storage, text, match, _cached_key(storage))
    if check.reason in ("other_org", "damaged"):  # perhaps a key adopted since it was read
        check = _verify(storage, text, match, _cached_key(storage, fresh=True))
    return check


def _verify(storage: Storage, text: str, match: re.Match, key: dict | None) -> BadgeCheck:
    key_id, person_b32, serial_text, tag = match.groups()
    if key is None or key_id != key["key_id"]:
        return BadgeCheck(False, "other_org")
    body = text.rsplit("-", 1)[0]
    if not hmac.compare_digest(tag, _sign(key["secret"], body)):
        return BadgeCheck(False, "damaged")
    try:
        person_id = str(uuid.UUID(bytes=_unb32(person_b32)))
    except ValueError:
        return BadgeCheck(False, "damaged")
    serial = int(serial_text)
    # The person and their newest badge in one read.
    found = storage.one("SELECT p.id, p.name, p.department, p.active, b.serial AS badge_serial, "
                        "b.revoked_at AS badge_revoked_at FROM people p LEFT JOIN badges b ON b.person_id = p.id "
                        "WHERE p.id = ? ORDER BY b.serial DESC LIMIT 1", (person_id,))
    if found is None:
        return BadgeCheck(False, "unknown_person", serial=serial)
    badge_serial, revoked_at = found.pop("badge_serial"), found.pop("badge_revoked_at")
    person = found
    if badge_serial is None or serial < badge_serial:
        return BadgeCheck(False, "replaced", person, serial)
    if serial > badge_serial or revoked_at:
        return BadgeCheck(False, "revoked", person, serial)
    if not person["active"]:
        return BadgeCheck(False, "inactive", person, serial)
    return BadgeCheck(True, None, person, serial)


def issue(storage: Storage, person_id: str, actor: str = "shift lead") -> dict:
    """Give a person a new badge; any earlier badge of theirs stops working."""
    with storage.write(N_("issue the badge")):
        current = storage.one("SELECT id, serial, revoked_at FROM badges WHERE person_id = ? "
                              "ORDER BY serial DESC LIMIT 1", (person_id,))
        if current and not current["revoked_at"]:
            audit.update(storage, "badges", current["id"], {"revoked_at": now_iso()}, actor, "revoke")
        serial = (current["serial"] + 1) if current else 1
        return audit.insert(storage, "badges", {"person_id": person_id, "serial": serial, "revoked_at": None},
                            actor, "issue")


def revoke(storage: Storage, person_id: str, actor: str = "shift lead") -> None:
    with storage.write(N_("revoke the badge")):
        current = current_badge(storage, person_id)
        if current is None:
            raise NotFound(_("This person has no valid badge to revoke."))
        audit.update(storage, "badges", current["id"], {"revoked_at": now_iso()}, actor, "revoke")


def current_badge(storage: Storage, person_id: str) -> dict | None:
    return storage.one("SELECT * FROM badges WHERE person_id = ? AND revoked_at IS NULL "
                       "ORDER BY serial DESC LIMIT 1", (person_id,))


def payload_for(storage: Storage, person_id: str) -> str:
    badge = current_badge(storage, person_id)
    if badge is None:
        raise NotFound(_("This person has no valid badge; issue a new one first."))
    return make_payload(org_key(storage), person_id, badge["serial"])


def badge_payloads(storage: Storage, person_ids: list[str] | None = None) -> list[tuple[dict, str]]:
    """(person, payload) for active people with a current badge: what a badge sheet prints."""
    key = org_key(storage)
    rows = storage.rows(
        "SELECT p.id, p.name, p.department, p.employee_id, b.serial FROM people p "
        "JOIN badges b ON b.person_id = p.id AND b.revoked_at IS NULL "
        "WHERE p.active = 1 ORDER BY p.name COLLATE NOCASE")
    if person_ids is not None:
        wanted = set(person_ids)
        rows = [r for r in rows if r["id"] in wanted]
    return [(row, make_payload(key, row["id"], row["serial"])) for row in rows]


def latest_badges(storage: Storage) -> dict[str, dict]:
    """Each person's newest badge (serial, revoked_at) by person id: the roster's badge column."""
    rows = storage.rows("SELECT person_id, serial, revoked_at FROM badges b WHERE serial = "
                        "(SELECT max(serial) FROM badges WHERE person_id = b.person_id)")
    return {row["person_id"]: row for row in rows}
