"""Keeping the database healthy: the integrity and audit check, online backups and restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import DamagedDatabase, DatabaseBusy, DiskFull, NewerDatabase, ReadOnlyDatabase, UserError
from ..i18n import N_, _
from ..storage import audit, soundness
from ..storage.db import Storage, now_iso, read_only, translate
from ..storage.soundness import INTEGRITY_LINES
from . import settings


@dataclass
class CheckReport:
    integrity: list[str] = field(default_factory=list)
    audit: audit.Verification | None = None

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and self.audit is not None and self.audit.ok

    @property
    def damaged(self) -> bool:
        """The file itself is damaged (not only edited behind storeshift's back)."""
        return self.integrity != ["ok"] or any("not valid UTF-8" in p for p in (self.audit.problems if self.audit else []))

    def verdict(self) -> str:
        if self.damaged:
            return _("the database file is damaged (details above): restore the latest backup with "
                     "'storeshift restore'")
        return _("the check found problems (listed above)")

    def lines(self) -> list[str]:
        out = [f"integrity: {'ok' if self.integrity == ['ok'] else 'DAMAGED'}"]
        out += [f"  {line}" for line in self.integrity[:INTEGRITY_LINES] if self.integrity != ["ok"]]
        if self.audit is not None:
            out.append(f"audit log: {self.audit.entries} entries, {self.audit.records} records, "  # not translated: read by support
                       f"{'ok' if self.audit.ok else 'PROBLEMS'}")
            out += [f"  {p}" for p in self.audit.problems]
        if not self.ok:
            out.append(_("Restore the latest backup with 'storeshift restore' (the replaced file is kept), "
                         "or ask support for help."))
        return out


def _verify(storage: Storage, report: CheckReport) -> CheckReport:
    heads = soundness.read_seen(storage.path).get("heads") if storage.path else None
    try:
        report.audit = audit.verify(storage, heads=heads)
    except sqlite3.Error as exc:  # damage SQLite met while reading rows: the code, never the row
        report.integrity = [_("reading the rows failed: {reason}").format(reason=translate(exc, N_("read the database")))]
    except UnicodeDecodeError:
        report.integrity = [_("reading the rows failed: SQLite reported damage in words that are not text")]
    return report


def check(storage: Storage) -> CheckReport:
    """integrity_check, then the audit chain, every record against it and the heads seen before."""
    report = CheckReport()
    try:
        report.integrity = [r[0] for r in storage.conn.execute(f"PRAGMA integrity_check({INTEGRITY_LINES})")]
    except sqlite3.DatabaseError as exc:
        report.integrity = [str(translate(exc, N_("read the database")))]
        return report
    if report.integrity != ["ok"]:
        return report
    return _verify(storage, report)


def check_file(path: Path) -> CheckReport:
    """The same check through a read-only connection: `storeshift check` neither upgrades nor
    writes the file it examines, and reads damaged text without failing on it."""
    report = CheckReport()
    try:
        probe = soundness.read_only(path)
    except sqlite3.Error as exc:
        report.integrity = [str(translate(exc, _("open {file}").format(file=Path(path).name)))]
        return report
    try:
        try:
            report.integrity = [r[0] for r in probe.execute(f"PRAGMA integrity_check({INTEGRITY_LINES})")]
            if report.integrity == ["ok"]:
                tables = {r[0] for r in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if not {"audit_log", "sites", "organisation"} <= tables:
                    report.audit = audit.Verification()
                    return report
        except sqlite3.DatabaseError as exc:
            problem = translate(exc, N_("read the database"))
            report.integrity = [_("the file is not a readable SQLite database (its header or first page is damaged)")
                                if isinstance(problem, DamagedDatabase) else str(problem)]
            return report
        except UnicodeDecodeError:  # SQLite's own message quotes a damaged name from the schema
            report.integrity = [_("the database's list of tables and indexes is damaged")]
            return report
        if report.integrity != ["ok"]:
            return report
        storage = Storage(probe, Path(path))
        home = probe.execute("SELECT id FROM sites WHERE is_home = 1").fetchone()
        storage.site_id = home[0] if home else ""
        return _verify(storage, report)
    finally:
        probe.close()


def _backup_target(out: str | Path) -> Path:
    """A file name, or a folder (existing, or named with a trailing slash) to put a dated file in."""
    text = str(out)
    folder_named = text.endswith(("/", os.sep))
    out = Path(out)
    if out.is_dir():
        return out / f"storeshift-backup-{now_iso().replace(':', '')}.db"
    if folder_named:
        raise UserError(_("The folder {folder} does not exist; create it first, or name a backup file.").format(
            folder=out))
    return out


def backup(storage: Storage, out: str | Path, on_note: Callable[[str], None] | None = None) -> Path:
    """A consistent copy taken with SQLite's online backup, safe while others write. out: a
    file, or a folder for a dated file. The audit chain's head goes on record in the database
    (and so in the next backup); when the database cannot be written (full or read-only disk),
    the backup still stands and on_note is told what was not recorded."""
    target = _backup_target(out)
    tmp = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = sqlite3.connect(tmp)
        try:
            storage.conn.backup(copy)
            ok = copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            copy.close()
        if not ok:
            raise DamagedDatabase(_("The backup did not pass its integrity check; the database may be damaged."))
        tmp.replace(target)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise translate(exc, N_("write the backup")) from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(_("Could not write the backup to {file}: {reason}.").format(file=target, reason=exc.strerror)
                        ) from exc
    try:
        settings.put(storage, "last_backup_at", now_iso(), "system")
        audit.remember_head(storage, f"backup {target.name}")
    except (DatabaseBusy, DiskFull, ReadOnlyDatabase, NewerDatabase) as exc:
        why = {DatabaseBusy: _("another program is using the database"), DiskFull: _("the disk is full"),
               ReadOnlyDatabase: _("the database file cannot be written"),
               NewerDatabase: _("the database is from a newer storeshift")}[type(exc)]
        if on_note is not None:
            on_note(_("The backup is sound; the database could not record when it was taken ({why}).").format(why=why))
    return target


def restore(db_path: Path, backup_path: Path) -> Path:
    """Replace the database file with a backup, keeping the replaced file beside it.
    Refused while any program (a kiosk, another window, sqlite3) has the database open."""
    db_path, backup_path = Path(db_path), Path(backup_path)
    try:
        probe = read_only(backup_path)
        try:
            healthy = probe.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            probe.execute("SELECT count(*) FROM people").fetchone()
        finally:
            probe.close()
    except sqlite3.Error:
        healthy = False
    if not healthy:
        raise UserError(_("{file} is not a healthy storeshift backup; nothing was changed.").format(
            file=backup_path.name))
    if soundness.in_use_elsewhere(db_path):
        # A kiosk writing on would go on writing into the file moved aside, not the restored one.
        raise UserError(_("{file} is open in another program: close every storeshift window and kiosk using it "
                          "(and any sqlite3 or Datasette on it), then restore again. Nothing was changed.").format(
            file=db_path.name))
    kept = db_path.with_name(f"{db_path.stem}.replaced-{now_iso().replace(':', '')}{db_path.suffix}")
    try:
        if db_path.exists():
            db_path.replace(kept)
    except OSError as exc:  # Windows: another program (a kiosk, say) still has it open
        raise UserError(_("Could not move {file} aside ({reason}): close every storeshift window using it, "
                          "then restore again. Nothing was changed.").format(file=db_path.name, reason=exc.strerror)
                        ) from None
    for suffix in ("-wal", "-shm", "-seen"):
        side = Path(str(db_path) + suffix)
        if side.exists():
            side.replace(Path(str(kept) + suffix))
    shutil.copyfile(backup_path, db_path)
    return kept


def latest_backup(folder: Path) -> Path | None:
    found = sorted(Path(folder).glob("storeshift-backup-*.db"))
    return found[-1] if found else None
