"""The `storeshift export` and `storeshift merge` commands."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _, format_number, ngettext


def register(main: click.Group, with_storage, Fail) -> None:  # noqa: N803 (the core passes the class)
    @main.command("export")
    @click.option("--out", required=True, type=click.Path(dir_okay=False),
                  help="Bundle file to write (e.g. on a USB stick or in a shared folder).")
    @click.option("--since", default=None, metavar="DATE",
                  help="Only changes since this date (YYYY-MM-DD, the site's time zone). Default: everything.")
    @click.option("--roster", is_flag=True,
                  help="Head office: export the roster (people, badges, tasks) for the sites to merge.")
    @with_storage
    def export_command(storage, out: str, since: str | None, roster: bool) -> None:
        """Write this site's data as a bundle file for head office (never share the database itself)."""
        from ..sync.bundle import export_bundle, read_manifest

        path = export_bundle(storage, Path(out), since=since, roster=roster)
        manifest = read_manifest(path, verify=False)
        counts = manifest.row_counts
        rows = sum(v for k, v in counts.items() if k not in ("audit_log", "known"))
        entries = counts.get("audit_log", 0)
        click.echo(_("{bundle}: {rows} and {entries} written to {file}").format(
            bundle=manifest.describe(),
            rows=ngettext("{count} row", "{count} rows", rows).format(count=format_number(rows)),
            entries=ngettext("{count} audit entry", "{count} audit entries", entries).format(
                count=format_number(entries)),
            file=path))

    @main.command("merge")
    @click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
    @with_storage
    def merge_command(storage, files: tuple[str, ...]) -> None:
        """Merge bundle files from other sites (or head office's roster) into this database.
        Merging the same bundle again changes nothing."""
        from ..sync.merge import merge_bundles

        report = merge_bundles(storage, [Path(f) for f in files])
        click.echo(report.summary())
