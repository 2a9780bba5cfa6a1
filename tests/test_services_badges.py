"""Badges: signed payloads, their verification with distinct reasons, revoke and reissue, org keys."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storeshift.errors import UserError
from storeshift.services import badges, roster
from storeshift.storage import open_storage


@pytest.fixture
def person(storage):
    return roster.add_person(storage, name="Mei García", department="Executive", employee_id="E1")


def test_payload_is_short_qr_alphanumeric_ascii(storage, person):
    payload = badges.payload_for(storage, person["id"])
    assert payload.startswith("SS1-")
    assert re.fullmatch(r"[0-9A-Z\-]+", payload)  # QR alphanumeric mode, wedge-safe
    assert len(payload) <= 60
    check = badges.verify(storage, payload)
    assert check.ok and check.person["id"] == person["id"] and check.serial == 1


def test_scanner_noise_around_the_code_is_tolerated(storage, person):
    payload = badges.payload_for(storage, person["id"])
    assert badges.verify(storage, f"\x02 {payload.lower()}\r\n").ok


def test_each_refusal_has_its_own_reason(storage, person, tmp_path):
    payload = badges.payload_for(storage, person["id"])
    assert badges.verify(storage, "HELLO WORLD").reason == "not_ours"
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    assert badges.verify(storage, flipped).reason == "damaged"
    other = open_storage(tmp_path / "other.db")
    stranger = roster.add_person(other, name="Stranger")
    assert badges.verify(storage, badges.payload_for(other, stranger["id"])).reason == "other_org"
    other.close()
    badges.issue(storage, person["id"])
    assert badges.verify(storage, payload).reason == "replaced"
    fresh = badges.payload_for(storage, person["id"])
    assert badges.verify(storage, fresh).ok
    roster.set_active(storage, person["id"], False)
    assert badges.verify(storage, fresh).reason == "inactive"
    roster.set_active(storage, person["id"], True)
    badges.revoke(storage, person["id"])
    assert badges.verify(storage, fresh).reason == "revoked"


def test_person_unknown_here_is_refused(storage, person):
    key = badges.org_key(storage)
    ghost = badges.make_payload(key, "12345678-1234-4234-8234-123456789abc", 1)
    assert badges.verify(storage, ghost).reason == "unknown_person"


def test_every_reason_has_a_plain_sentence():
    for reason, text in badges.REASONS.items():
        assert text.endswith(".") and "shift lead" in text or "try again" in text, reason
        assert "HMAC" not in text and "payload" not in text.lower()


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data())
def test_any_change_to_a_valid_payload_is_refused(storage, person, data):
    payload = badges.payload_for(storage, person["id"])
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-0189"
    kind = data.draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
    pos = data.draw(st.integers(0, len(payload) - 1))
    if kind == "replace":
        ch = data.draw(st.sampled_from([c for c in alphabet if c != payload[pos]]))
        changed = payload[:pos] + ch + payload[pos + 1:]
    elif kind == "insert":
        changed = payload[:pos] + data.draw(st.sampled_from(alphabet)) + payload[pos:]
    elif kind == "delete":
        changed = payload[:pos] + payload[pos + 1:]
    else:
        changed = payload[:pos]
    check = badges.verify(storage, changed)
    assert not check.ok and check.reason in badges.REASONS


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(junk=st.text(max_size=200))
def test_arbitrary_text_is_refused_without_error(storage, person, junk):
    assert not badges.verify(storage, junk).ok


def test_org_key_export_import_lets_another_site_verify(storage, person, tmp_path):
    key_file = tmp_path / "org.key"
    key_id = badges.export_org_key(storage, key_file)
    site = open_storage(tmp_path / "site.db")
    assert badges.import_org_key(site, key_file) == key_id
    # The roster has not reached the site yet, but the signature is recognised as ours.
    assert badges.verify(site, badges.payload_for(storage, person["id"])).reason == "unknown_person"
    site.close()


def test_org_key_import_refused_into_a_database_with_badges(storage, person, tmp_path):
    other = open_storage(tmp_path / "other.db")
    key_file = tmp_path / "other.key"
    badges.export_org_key(other, key_file)
    other.close()
    with pytest.raises(UserError, match="already has people"):
        badges.import_org_key(storage, key_file)
    (tmp_path / "bad.key").write_text("not a key")
    with pytest.raises(UserError, match="not a storeshift organisation key"):
        badges.import_org_key(storage, tmp_path / "bad.key")
