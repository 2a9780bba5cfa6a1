"""The `storeshift observations import` and `storeshift themes` commands."""

from __future__ import annotations

import json

import click

from ..i18n import _, format_number, ngettext
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
            click.echo("  " + _("skipped: {reason}").format(reason=error), err=True)

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
        from ..services.observations import STATUSES  # (here: off the windows' start-up path)

        try:
            year, week = parse_week(week_text)
        except ValueError as exc:
            raise Fail(str(exc), 1) from None
        found = data.week_themes(storage, year, week, data.ALL_SITES if all_sites else None)
        if as_json:
            click.echo(json.dumps([theme.as_json() for theme in found], ensure_ascii=False, indent=1))
            return
        if not found:
            click.echo(_("no observations in {week}").format(week=f"{year}-W{week:02d}"))
            return
        for theme in found:
            if theme.automatic:
                status = _("automatic, not triaged")
            else:  # the status's label, lower-case inside the brackets ("triaged", "zugewiesen")
                label = str(STATUSES.get(theme.status, theme.status))
                status = label[:1].lower() + label[1:]
            if theme.owner:
                status = _("{status}, owner {owner}").format(status=status, owner=theme.owner)
            counts = ngettext("{count} note", "{count} notes", len(theme.observations)).format(
                count=format_number(len(theme.observations))) + ", " + ngettext(
                "{count} person", "{count} people", theme.people).format(count=format_number(theme.people))
            if len(theme.sites) > 1:
                counts += " " + _("at {count} sites").format(count=format_number(len(theme.sites)))
            click.echo(_("{counts}: {title} [{status}]").format(counts=counts, title=theme.title, status=status))
