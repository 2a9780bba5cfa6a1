"""Shared pieces of the reliability suite: a seeded store, child processes and their logs."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from storeshift.services import badges, roster, settings, tasks
from storeshift.storage import open_storage

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("worker.py")
AUDITED = ("sites", "settings", "people", "badges", "tasks", "visits", "assignments", "observations",
           "bookings", "audit_log", "organisation")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


#: Children spawned by the running test; the suite's conftest ends them and closes their pipes.
SPAWNED: list[subprocess.Popen] = []


def spawn(role: str, *args) -> subprocess.Popen:
    """A worker.py child with its stdout (the acknowledgement log) piped to us."""
    child = subprocess.Popen([sys.executable, str(WORKER), role, *map(str, args)], cwd=REPO, env=child_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    SPAWNED.append(child)
    return child


def cli(*args, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`storeshift ARGS` as a user runs it; arguments may be bytes (not UTF-8 on purpose)."""
    return subprocess.run([sys.executable, "-m", "storeshift", *args], cwd=REPO, env=child_env(), input=stdin,
                          capture_output=True, timeout=timeout)


def seed_store(path: Path, people: int = 30) -> list[str]:
    """A store with people (each with a badge), three tasks (one with room for two) and a
    one-second repeat window so a fast scanning loop checks people in and out; returns payloads."""
    storage = open_storage(path)
    try:
        lines = ["name,department,email,employee_id"]
        lines += [f"Visitor {i:03d},Dept {i % 5},v{i}@example.com,E{i:04d}" for i in range(people)]
        roster.import_people(storage, "\n".join(lines).encode())
        tasks.add_task(storage, title="Greet at the door", capacity=2)
        tasks.add_task(storage, title="Shadow a phone agent")
        tasks.add_task(storage, title="Stock aisle 4", capacity=5)
        settings.put(storage, "repeat_window_s", 1)
        return [payload for _, payload in badges.badge_payloads(storage)]
    finally:
        storage.close()


def row_counts(storage) -> dict[str, int]:
    return {t: storage.value(f"SELECT count(*) FROM [{t}]") for t in AUDITED}


@dataclass
class AckLog:
    """What a child acknowledged: ACK lines split into fields, and everything else it said."""
    acks: list[list[str]] = field(default_factory=list)
    errors: list[list[str]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    #: ACK and TRY lines in the order said: an edit tried after the last ACK may have committed.
    events: list[list[str]] = field(default_factory=list)

    def add(self, text: str) -> None:
        # A line cut short by kill -9 has no newline: the child never finished saying it.
        for line in text.splitlines(keepends=True):
            if not line.endswith("\n"):
                continue
            fields = line.rstrip("\n").split("\t")
            if fields[0] in ("ACK", "TRY"):
                self.events.append(fields)
            if fields[0] == "ACK":
                self.acks.append(fields[1:])
            elif fields[0] == "ERR":
                self.errors.append(fields[1:])
            else:
                self.other.append(line.rstrip("\n"))

    def extend(self, other: AckLog) -> None:
        self.acks += other.acks
        self.errors += other.errors
        self.other += other.other
        self.events += other.events

    def of(self, kind: str) -> list[list[str]]:
        return [a[1:] for a in self.acks if a[0] == kind]
