"""The `storeshift observations import` and `storeshift themes` commands."""

from __future__ import annotations

import json

import click

from ..timeutil import parse_week


def register(main: click.Group, with_storage, Fail) -> None:  # noqa: N803 (the core passes the class)
    @main.group()
    def observations() -> None:
        """Observations: import them from a CSV file."""

    @observations.command("import")
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option("--skip-invalid", is_flag=True, help="Import the good lines and list the bad ones.")
    @with_storage
    def observations_import(storage, file: str, skip_invalid: bool) -> None:
        """Import observations from a CSV: employee_id or email; at (ISO 8601, site time when it has
        no offset); category (customer voice, process problem, product issue, idea, praise); text;
        quote and impact (low, medium, high) optional. Each is linked to the person's visit at that
        time when there is one, else kept as a note of this site."""
        from ..services.observations import import_observations

        report = import_observations(storage, file, skip_invalid=skip_invalid)
        click.echo(report.summary("observations"))
        for error in report.errors:
            click.echo(f"  skipped {error}", err=True)

    @main.command("themes")
    @click.option("--week", "week_text", required=True, help="ISO week such as 2026-W48 (in the site's time zone).")
    @click.option("--all-sites", is_flag=True, help="Themes across every site in the database.")
    @click.option("--json", "as_json", is_flag=True,
                  help="A JSON list of objects: id, title, automatic, observation_ids, observations, people, "
                       "sites, status, owner, follow_up, raised_at.")
    @with_storage
    def themes_command(storage, week_text: str, all_sites: bool, as_json: bool) -> None:
        """The themes the weekly report prints for a week, most reported first. Themes the shift lead
        made carry their id; groups made automatically from notes nobody has triaged yet have
        automatic: true and a synthetic id 'auto-' plus 12 hex digits, which stays the same as long
        as the group holds the same notes."""
        from ..reports import data

        try:
            year, week = parse_week(week_text)
        except ValueError as exc:
            raise Fail(str(exc), 1) from None
        found = data.week_themes(storage, year, week, data.ALL_SITES if all_sites else None)
        if as_json:
            click.echo(json.dumps([theme.as_json() for theme in found], ensure_ascii=False, indent=1))
            return
        if not found:
            click.echo(f"no observations in {year}-W{week:02d}")
            return
        for theme in found:
            status = "automatic, not triaged" if theme.automatic else theme.status
            owner = f", owner {theme.owner}" if theme.owner else ""
            where = f" at {len(theme.sites)} sites" if len(theme.sites) > 1 else ""
            click.echo(f"{len(theme.observations):>3} notes, {theme.people} people{where}: {theme.title} "
                       f"[{status}{owner}]")
