"""Keeping the database healthy: the integrity and audit check, online backups and restore."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DamagedDatabase, UserError
from ..i18n import N_, _
from ..storage import audit
from ..storage.db import Storage, now_iso, read_only, translate
from . import settings


@dataclass
class CheckReport:
    integrity: list[str] = field(default_factory=list)
    audit: audit.Verification | None = None

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and self.audit is not None and self.audit.ok

    def lines(self) -> list[str]:
        out = [f"integrity: {'ok' if self.integrity == ['ok'] else '; '.join(self.integrity[:10])}"]
        if self.audit is not None:
            out.append(f"audit log: {self.audit.entries} entries, {self.audit.records} records, "  # not translated: read by support
                       f"{'ok' if self.audit.ok else 'PROBLEMS'}")
            out += [f"  {p}" for p in self.audit.problems]
        return out


def check(storage: Storage) -> CheckReport:
    report = CheckReport()
    try:
        report.integrity = [r[0] for r in storage.conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        report.integrity = [str(exc)]
        return report
    report.audit = audit.verify(storage)
    return report


def backup(storage: Storage, out: Path) -> Path:
    """A consistent copy taken with SQLite's online backup, safe while others write."""
    out = Path(out)
    if out.exists() and out.is_dir():
        out = out / f"storeshift-backup-{now_iso().replace(':', '')}.db"
    tmp = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(tmp)
        try:
            storage.conn.backup(target)
            ok = target.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            target.close()
        if not ok:
            raise DamagedDatabase(_("The backup did not pass its integrity check; the database may be damaged."))
        tmp.replace(out)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise translate(exc, N_("write the backup")) from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(_("Could not write the backup to {file}: {reason}.").format(file=out, reason=exc.strerror)) from exc
    settings.put(storage, "last_backup_at", now_iso(), "system")
    return out


def restore(db_path: Path, backup_path: Path) -> Path:
    """Replace the database file with a backup, keeping the replaced file beside it.
    The database must be closed by everyone first."""
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
        raise UserError(_("{file} is not a healthy storeshift backup; nothing was changed.").format(file=backup_path.name))
    kept = db_path.with_name(f"{db_path.stem}.replaced-{now_iso().replace(':', '')}{db_path.suffix}")
    try:
        if db_path.exists():
            db_path.replace(kept)
    except OSError as exc:  # Windows: another program (a kiosk, say) still has it open
        raise UserError(_("Could not move {file} aside ({reason}): close every storeshift window using it, "
                          "then restore again. Nothing was changed.").format(file=db_path.name, reason=exc.strerror)
                        ) from None
    for suffix in ("-wal", "-shm"):
        side = Path(str(db_path) + suffix)
        if side.exists():
            side.replace(Path(str(kept) + suffix))
    shutil.copyfile(backup_path, db_path)
    return kept


def latest_backup(folder: Path) -> Path | None:
    found = sorted(Path(folder).glob("storeshift-backup-*.db"))
    return found[-1] if found else None
