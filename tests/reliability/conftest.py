"""Reliability suite set-up: normal counts (fast enough for CI) or, with `pytest --full`, the
counts the issue asks for. Every module here sets `pytestmark = pytest.mark.reliability`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Counts:
    full: bool
    kills: int            # kill -9 rounds of a scanning process
    load_seconds: float   # two processes writing at once
    payloads: int         # hostile badge payloads (hypothesis + fuzzer together)
    cli_payloads: int     # of which also through `storeshift scan`
    backups: int          # backups taken while another process writes
    real_busy_timeout: bool  # wait out the real 5 s busy timeout instead of a shortened one


NORMAL = Counts(False, kills=10, load_seconds=6, payloads=2000, cli_payloads=4, backups=3,
                real_busy_timeout=False)
FULL = Counts(True, kills=50, load_seconds=60, payloads=10_000, cli_payloads=16, backups=10,
              real_busy_timeout=True)


@pytest.fixture(scope="session")
def counts(request) -> Counts:
    return FULL if request.config.getoption("--full") else NORMAL


@pytest.fixture(autouse=True)
def _end_children():
    """No child outlives its test, and no pipe is left open (open pipes are ResourceWarnings)."""
    from .support import SPAWNED

    yield
    while SPAWNED:
        child = SPAWNED.pop()
        if child.poll() is None:
            child.kill()
        child.communicate()
