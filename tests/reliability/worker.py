"""Child processes for the reliability suite: a kiosk, a shift lead, a lock holder and a
starting app, each printing one tab-separated line per acknowledged write.

A line `ACK\t...` is printed (and flushed) only after the service call returned, i.e. after
its transaction committed: the parent holds the database to every line it read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import sys
import time
import uuid


def say(*fields) -> None:
    print("\t".join(str(f) for f in fields), flush=True)


def token() -> str:
    """A unique word without digits (runs of digits would be masked as phone numbers)."""
    return uuid.uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))


def kiosk(args) -> None:
    """Scans and observations as fast as they go, on a clock of its own (args.start + i*step)."""
    from storeshift.errors import UserError
    from storeshift.services import badges, observations, visits
    from storeshift.storage import open_storage
    from storeshift.timeutil import from_iso

    rng = random.Random(args.seed)
    storage = open_storage(args.db)
    payloads = [payload for _, payload in badges.badge_payloads(storage)]
    now = from_iso(args.start)
    step = dt.timedelta(seconds=args.step)
    mine: list[str] = []
    say("READY")
    deadline = time.monotonic() + args.seconds if args.seconds else None
    while deadline is None or time.monotonic() < deadline:
        now += step
        try:
            roll = rng.random()
            if roll < 0.2 and mine:
                obs_id = rng.choice(mine)
                text = f"edited {token()}"
                # Said before the call: killed after COMMIT but before ACK, this text may be stored.
                say("TRY", "edit", obs_id, text)
                observations.edit_observation(storage, obs_id, text=text)
                say("ACK", "edit", obs_id, text)
                continue
            result = visits.scan(storage, rng.choice(payloads), now=now)
            if result.kind == visits.CHECKED_IN:
                say("ACK", "checked_in", result.visit["id"], result.visit["check_in_at"])
            elif result.kind == visits.CHECKED_OUT:
                say("ACK", "checked_out", result.visit["id"], result.visit["check_out_at"])
                if rng.random() < 0.5:
                    text = f"noticed {token()}"
                    note = observations.add_observation(storage, category="idea", text=text,
                                                        visit_id=result.visit["id"])
                    mine.append(note["id"])
                    say("ACK", "obs", note["id"], text)
            else:
                say("NOTE", result.kind)
        except UserError as exc:
            say("ERR", type(exc).__name__, str(exc))
    storage.close()
    say("DONE")


def lead(args) -> None:
    """Assignments, task completion and triage on whatever the kiosk process writes."""
    from storeshift.errors import UserError
    from storeshift.services import observations, tasks, visits
    from storeshift.storage import open_storage

    rng = random.Random(args.seed)
    storage = open_storage(args.db)
    task_ids = [t["id"] for t in tasks.list_tasks(storage)]
    say("READY")
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        try:
            roll = rng.random()
            if roll < 0.5:
                floor = visits.on_floor(storage)
                if not floor:
                    continue
                visit = rng.choice(floor)
                row = tasks.assign(storage, visit["visit_id"], rng.choice(task_ids))
                say("ACK", "assign", row["id"], row["visit_id"], row["task_id"])
            elif roll < 0.6:
                floor = [v for v in visits.on_floor(storage) if v["assignment_id"]]
                if floor:
                    row = tasks.complete(storage, rng.choice(floor)["visit_id"])
                    say("ACK", "complete", row["id"])
            elif roll < 0.7:
                # Changing a task's capacity while the kiosk checks people in and out.
                task_id = rng.choice(task_ids)
                row = tasks.edit_task(storage, task_id, capacity=str(rng.randint(1, 6)))
                say("ACK", "task", task_id, row["capacity"])
            else:
                notes = storage.rows("SELECT id FROM observations ORDER BY random() LIMIT 1")
                if not notes:
                    continue
                status = rng.choice(list(observations.STATUSES))
                owner = f"owner {rng.randrange(1000)}"
                observations.triage(storage, notes[0]["id"], status=status, owner=owner)
                say("ACK", "triage", notes[0]["id"], status, owner)
        except UserError as exc:
            say("ERR", type(exc).__name__, str(exc))
    storage.close()
    say("DONE")


def hold(args) -> None:
    """Another program holding the write lock: a raw connection in a write transaction."""
    conn = sqlite3.connect(args.db, timeout=30, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    say("LOCKED")
    time.sleep(args.seconds)
    conn.execute("COMMIT")
    conn.close()
    say("RELEASED")


def start(args) -> None:
    """An app starting on a database, with one test-only migration added to the real set;
    args.go is a moment (time.time()) both racers wait for, so they start together."""
    from sqlite_utils.migrations import Migrations

    from storeshift.storage import open_storage, schema

    extra = Migrations(schema.migrations.name)
    extra._migrations = list(schema.migrations._migrations)

    @extra(name="m900_test_counter")
    def m900(db):
        db.execute("CREATE TABLE IF NOT EXISTS test_migration_runs (pid INTEGER)")
        db.execute("INSERT INTO test_migration_runs (pid) VALUES (?)", [os_pid()])
        time.sleep(args.linger)  # widen the window a racing process would have to slip through

    if args.extra:
        schema.migrations = extra
    time.sleep(max(0.0, args.go - time.time()))
    storage = open_storage(args.db)
    say("STARTED", storage.site_id)
    storage.close()


def os_pid() -> int:
    import os

    return os.getpid()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="role", required=True)
    k = sub.add_parser("kiosk")
    k.add_argument("db")
    k.add_argument("--seed", type=int, default=1)
    k.add_argument("--start", required=True)
    k.add_argument("--step", type=float, default=5)
    k.add_argument("--seconds", type=float, default=0)
    ld = sub.add_parser("lead")
    ld.add_argument("db")
    ld.add_argument("--seed", type=int, default=2)
    ld.add_argument("--seconds", type=float, required=True)
    h = sub.add_parser("hold")
    h.add_argument("db")
    h.add_argument("--seconds", type=float, required=True)
    s = sub.add_parser("start")
    s.add_argument("db")
    s.add_argument("--extra", action="store_true")
    s.add_argument("--linger", type=float, default=0.3)
    s.add_argument("--go", type=float, default=0)
    args = parser.parse_args(argv)
    {"kiosk": kiosk, "lead": lead, "hold": hold, "start": start}[args.role](args)


if __name__ == "__main__":
    main(sys.argv[1:])
