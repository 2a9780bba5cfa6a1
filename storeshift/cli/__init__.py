"""The storeshift command line: every command takes --db, prints one-line errors, never a traceback."""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path

import click

from .. import __version__, logs
from ..errors import DamagedDatabase, UserError
from ..i18n import _, format_number
from ..services import settings
from ..storage.db import default_db_path, missing_database, open_storage

log = logging.getLogger("storeshift.cli")

DEMO_PIN = "1234"


class Fail(click.ClickException):
    """A one-line reason on stderr and a chosen exit status."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"storeshift: {self.message}", err=True)  # not translated: the program's name


def _db_path(ctx: click.Context, value: str | None) -> Path:
    chosen = value or (ctx.find_root().params.get("db"))
    return Path(chosen) if chosen else default_db_path()


def with_storage(func=None, *, window: bool = False, close_visits: bool = True, create: bool | str = False):
    """Give a command --db and an open Storage; turn user errors into one line, bugs into a logged line.

    A window opens at once and checks the file's integrity in the background (writes wait for it),
    then closes forgotten visits itself (and again at each closing time). Any other command closes
    them first (unless close_visits=False: the commands that look after the file itself).
    Only create=True commands (setup, demo) make a new database; create="default" (the windows)
    makes only the default one. Any other command refuses a path with no database, so a mistyped
    --db is an error, not a new empty store."""
    if func is None:
        return functools.partial(with_storage, window=window, close_visits=close_visits, create=create)

    @click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
                  help="Database file (default: storeshift.db in your user data folder).")
    @click.pass_context
    @functools.wraps(func)
    def wrapper(ctx, db_path, **kwargs):
        storage = None
        try:
            path = _db_path(ctx, db_path)
            may_create = create is True or (create == "default" and path == default_db_path())
            storage = open_storage(path, check_in_background=window, create=may_create)
            settings.use_site_language(storage)
            if close_visits and not window:
                from ..services.visits import close_forgotten_visits
                from ..timeutil import utc_now

                close_forgotten_visits(storage, utc_now())
            return func(storage, **kwargs)
        except UserError as exc:
            if window and storage is None and isinstance(exc, DamagedDatabase):
                _show_refusal(str(exc))  # started from a desktop icon, stderr is read by nobody
            raise Fail(str(exc), 1) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # output piped into `head` and cut short: not an error
            sys.stderr.close()
            return None
        except Exception as exc:  # a bug: log the traceback, show one line
            log.exception("command %s failed", ctx.info_name)
            raise Fail(_("unexpected error ({kind}); details are in {file}").format(kind=type(exc).__name__,
                                                                                   file=logs.setup()), 2) from None
        finally:
            if storage is not None:
                storage.close()
    return wrapper


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="Database file (default: storeshift.db in your user data folder).")
@click.option("--self-test", is_flag=True, help="Check this installation end to end, print 'self-test ok'.")
@click.version_option(__version__, prog_name="storeshift")
@click.pass_context
def main(ctx: click.Context, db: str | None, self_test: bool) -> None:
    """storeshift: check-in kiosk, shift-lead board and insight reports for
    head-office staff doing front-line shifts. Without a command, opens the shift-lead window."""
    logs.setup()
    if self_test:
        from ..selftest import run_self_test

        try:
            run_self_test()
        except Exception as exc:
            log.exception("self-test failed")
            raise Fail(f"self-test failed: {exc}", 2) from None  # not translated: read by support
        click.echo("self-test ok")  # not translated: read by support and scripts
        ctx.exit(0)
    if ctx.invoked_subcommand is None:
        ctx.invoke(lead)


def _show_refusal(sentence: str) -> None:
    """The sentence in a dialog, for a window that will not open on a damaged file."""
    try:
        from ..ui import app
    except ImportError:
        return
    app.show_refusal(sentence)


def _open_window(kind: str, storage, **options) -> None:
    try:
        from ..ui import app
    except ImportError as exc:
        raise UserError(_("The window cannot start: {reason}. Reinstall storeshift.").format(reason=exc)) from None
    sys.exit(app.run(kind, storage, **options))


@main.command()
@with_storage(window=True, create="default")
def lead(storage) -> None:
    """Open the shift-lead window (floor board, tasks, people, observations, reports, settings)."""
    _open_window("lead", storage)


@main.command()
@click.option("--windowed", is_flag=True, help="A normal window instead of full screen (for development).")
@with_storage(window=True, create="default")
def kiosk(storage, windowed: bool) -> None:
    """Open the check-in kiosk (full screen; leaving it needs the shift-lead PIN)."""
    from ..services import kiosk_session

    kiosk_session.require_pin(storage, windowed)  # the window says it too; here before Qt starts
    _open_window("kiosk", storage, windowed=windowed)


@main.command()
@click.option("--seed-only", is_flag=True, help="Fill the database and exit, without opening the app.")
@click.option("--people", default=60, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--weeks", default=6, show_default=True, type=click.IntRange(1, 520))
@click.option("--seed", default=1, show_default=True, type=int, help="Same seed, same demo.")
@click.option("--observations-per-visit", default=0.6, show_default=True, type=click.FloatRange(0, 50))
@with_storage(create=True)
def demo(storage, seed_only: bool, people: int, weeks: int, seed: int, observations_per_visit: float) -> None:
    """Create a realistic demo store in a new or empty database, then open the app on it."""
    from ..services import demo as demo_data

    counts = demo_data.seed(storage, people=people, weeks=weeks, seed=seed,
                            observations_per_visit=observations_per_visit)
    click.echo(f"demo database {storage.path}: "  # not translated: the demo's own report
               + ", ".join(f"{v} {k}" for k, v in counts.items()))
    from ..services import pin

    if not pin.has_pin(storage):
        # The kiosk needs a shift-lead PIN; a demo one, said out loud, lets people try it.
        pin.set_pin(storage, DEMO_PIN, actor="demo")
        click.echo(_("shift-lead PIN: {pin} (change it in Settings)").format(pin=DEMO_PIN))
    if not seed_only:
        _open_window("lead", storage)


@main.group()
def people() -> None:
    """The roster: import, list, export one person's data, erase."""


@people.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Import the good lines and list the bad ones.")
@click.option("--map", "mapping", default=None, metavar='FIELD="Column",...',
              help='Which column holds what, where the headers do not say: name="Full Name",email="Work Email" '
                   "(fields: name, first_name, last_name, email, employee_id, department).")
@with_storage
def people_import(storage, file: str, skip_invalid: bool, mapping: str | None) -> None:
    """Import people from a CSV, as HR systems export it: a name (or first and last name) and
    optionally email, employee id and department, with English, French or German headers; ','
    ';' tab or '|' between values; UTF-8, UTF-16 or Windows-1252. Columns not used are listed."""
    from ..services import roster
    from ..services.csvio import parse_mapping

    report = roster.import_people(storage, file, skip_invalid=skip_invalid,
                                  mapping=parse_mapping(mapping) if mapping else None)
    click.echo(_("columns: {columns}").format(
        columns=", ".join(f"{field} ← {column}" for field, column in report.columns.items())))
    click.echo(report.summary("people"))
    for error in report.errors:
        click.echo("  " + _("skipped: {reason}").format(reason=error), err=True)


@people.command("list")
@click.option("--search", default="", help="Part of a name, email or employee id.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_storage
def people_list(storage, search: str, as_json: bool) -> None:
    """List the roster."""
    from ..services import roster

    found = roster.list_people(storage, search=search)
    if not found and not as_json:
        # Said on stderr, so a script reading the list still reads nothing.
        click.echo(_("nobody matches '{search}'").format(search=search) if search else
                   _("The roster is empty: import it with 'storeshift people import FILE.csv'."), err=True)
    for person in found:
        if as_json:
            click.echo(json.dumps(person, ensure_ascii=False))
        else:
            state = "" if person["active"] else "  " + _("(inactive)")
            click.echo(f"{person['id']}  {person['employee_id'] or '-':<10} {person['name']}  "
                       f"[{person['department'] or '-'}]{state}")


@people.command("export")
@click.option("--person", "ref", required=True, help="Person id, employee id or email.")
@with_storage
def people_export(storage, ref: str) -> None:
    """Print everything held on one person as JSON (data-protection request)."""
    from ..services import privacy, roster

    click.echo(json.dumps(privacy.export_person(storage, roster.find_person(storage, ref)["id"]),
                          ensure_ascii=False, indent=2))


@people.command("badge")
@click.option("--person", "ref", required=True, help="Person id, employee id or email.")
@with_storage
def people_badge(storage, ref: str) -> None:
    """Print the payload of a person's current badge (what its QR code holds)."""
    from ..services import badges, roster

    click.echo(badges.payload_for(storage, roster.find_person(storage, ref)["id"]))


@people.command("erase")
@click.option("--person", "ref", required=True, help="Person id, employee id or email.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_storage
def people_erase(storage, ref: str, yes: bool) -> None:
    """Erase a person: name and badges go, visits stay as anonymous hours."""
    from ..services import privacy, roster

    person_id = roster.find_person(storage, ref)["id"]
    if not yes:
        click.confirm(privacy.erase_summary(storage, person_id), abort=True)
    counts = privacy.erase_person(storage, person_id)
    click.echo(_("erased — badges: {badges}, bookings: {bookings}; kept without a name — visits: {visits}, "
                 "observations: {observations}").format(badges=format_number(counts["badges"]),
                                          bookings=format_number(counts["bookings"]),
                                          visits=format_number(counts["visits anonymised"]),
                                          observations=format_number(counts["observations anonymised"])))


@main.group()
def tasks() -> None:
    """The task catalogue."""


@tasks.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Import the good lines and list the bad ones.")
@with_storage
def tasks_import(storage, file: str, skip_invalid: bool) -> None:
    """Import tasks from a CSV (title required; description, area, minutes, capacity optional)."""
    from ..services import tasks as task_service

    report = task_service.import_tasks(storage, file, skip_invalid=skip_invalid)
    click.echo(report.summary("tasks"))
    for error in report.errors:
        click.echo("  " + _("skipped: {reason}").format(reason=error), err=True)


@tasks.command("list")
@with_storage
def tasks_list(storage) -> None:
    """List the task catalogue."""
    from ..services import tasks as task_service

    for task in task_service.list_tasks(storage):
        capacity = f"{task['taken']}/{task['capacity']}" if task["capacity"] else f"{task['taken']}"
        click.echo(f"{task['id']}  {task['title']}  [{task['area'] or '-'}]  "
                   + _("on it now: {count}").format(count=capacity))


@main.group()
def bookings() -> None:
    """Expected slots."""


@bookings.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Import the good lines and list the bad ones.")
@with_storage
def bookings_import(storage, file: str, skip_invalid: bool) -> None:
    """Import bookings from a CSV (employee_id or email, start, end, optional task)."""
    from ..services import bookings as booking_service

    report = booking_service.import_bookings(storage, file, skip_invalid=skip_invalid)
    click.echo(report.summary("bookings"))
    for error in report.errors:
        click.echo("  " + _("skipped: {reason}").format(reason=error), err=True)


@main.command()
@click.argument("payload")
@with_storage
def scan(storage, payload: str) -> None:
    """Check in or out with a badge payload, as the kiosk does. Exit 0: checked in, out or
    repeat; 1: refused (reason on stderr); 2: any other error."""
    from ..services import kiosk_session, visits

    result = kiosk_session.read_scan(storage, payload)  # as the kiosk reads it, AZERTY scanners too
    if result.kind == visits.REFUSED:
        raise Fail(result.message, 1)
    click.echo(f"{result.kind.replace('_', ' ')}: {result.message}")


@main.group("org-key")
def org_key() -> None:
    """The organisation key that signs badges (one per organisation)."""


@org_key.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="File to write the key to.")
@with_storage
def org_key_export(storage, out: str) -> None:
    """Write the organisation key to a file, to import at another site. Keep it secret."""
    from ..services import badges

    click.echo(_("organisation key {key} written to {file}").format(key=badges.export_org_key(storage, Path(out)),
                                                                   file=out))


@org_key.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_storage
def org_key_import(storage, file: str) -> None:
    """Use another site's organisation key in this (new or empty) database."""
    from ..services import badges

    click.echo(_("organisation key {key} in use").format(key=badges.import_org_key(storage, Path(file))))


@main.command()
@click.option("--out", required=True, type=click.Path(), help="Backup file (or folder).")
@with_storage(close_visits=False)
def backup(storage, out: str) -> None:
    """Copy the database safely while it is in use (SQLite online backup)."""
    from ..services import maintenance

    notes: list[str] = []
    # The text as typed: a trailing slash says "a folder" even when it does not exist.
    written = maintenance.backup(storage, out, on_note=notes.append)
    click.echo(_("backup written to {file}").format(file=written))
    for note in notes:
        click.echo(_("note: {note}").format(note=note), err=True)


@main.command()
@click.argument("backup_file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="Database file (default: storeshift.db in your user data folder).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def restore(ctx, backup_file: str | None, db_path: str | None, yes: bool) -> None:
    """Replace the database with a backup (default: the newest in the 'backups' folder beside
    it), e.g. when the file is damaged. Close storeshift everywhere first; the replaced file
    is kept beside the database."""
    from ..services import maintenance

    # Not with_storage: the database may be too damaged to open, which is why we are here.
    path = _db_path(ctx, db_path)
    folder = path.parent / "backups"
    backup = Path(backup_file) if backup_file else maintenance.latest_backup(folder)
    if backup is None:
        raise Fail(_("There is no backup in {folder}; name the backup file to restore.").format(folder=folder), 1)
    if not yes:
        click.confirm(_("Replace {file} with the backup {backup}?").format(file=path, backup=backup.name), abort=True)
    try:
        kept = maintenance.restore(path, backup)
    except UserError as exc:
        raise Fail(str(exc), 1) from None
    except OSError as exc:
        raise Fail(_("Could not restore: {reason}.").format(reason=exc.strerror or exc), 1) from None
    click.echo(_("restored {backup}; the replaced database is kept as {kept}").format(backup=backup.name,
                                                                                     kept=kept.name))


@main.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="Database file (default: storeshift.db in your user data folder).")
@click.pass_context
def check(ctx, db_path: str | None) -> None:
    """Verify the database file, its text and the audit log's hash chain (reads only)."""
    from ..services import maintenance

    # Not with_storage: a damaged file is what this command is for, and it must not upgrade
    # or write the file it examines.
    path = _db_path(ctx, db_path)
    if not (path.is_file() and path.stat().st_size > 0):
        raise Fail(str(missing_database(path)), 1)
    try:
        report = maintenance.check_file(path)
    except Exception as exc:  # a bug: the log gets the traceback (without row text), the user one line
        log.exception("check failed")
        raise Fail(_("the check could not finish ({kind}); details are in {file}").format(
            kind=type(exc).__name__, file=logs.setup()), 1) from None
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise Fail(report.verdict(), 1)


def _register_feature_commands() -> None:
    """Commands of a feature live in a module of their own in this package, each with register()."""
    from . import floor, observations, reports, server, setup, sync

    for module in (floor, reports, sync, observations, setup, server):
        module.register(main, with_storage, Fail)


_register_feature_commands()


def gui() -> None:
    """The desktop entry point (storeshift-gui, started from a menu or a shortcut): the same commands,
    but a failure is also shown in a message box, since there may be no terminal to print it on."""
    try:
        code = main.main(prog_name="storeshift", standalone_mode=False)
    except click.ClickException as exc:
        if sys.stderr is not None:
            exc.show()
        _show_error(exc.format_message())
        sys.exit(exc.exit_code)
    except click.Abort:
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _show_error(text: str) -> None:
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox
    except ImportError:
        return
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QMessageBox.critical(None, "storeshift", text)  # not translated: the program's name as the title
    del app
