"""The `storeshift report` and `storeshift badges` commands."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _, format_number, ngettext
from ..timeutil import local, parse_week, utc_now


def register(main: click.Group, with_storage, Fail) -> None:  # noqa: N803 (the core passes the class)
    @main.command()
    @click.option("--week", "week_text", required=True,
                  help="ISO week such as 2026-W48, or 'this' or 'last' (weeks in the site's time zone).")
    @click.option("--site", "site_id", default=None, help="Site id or name (default: this database's own site).")
    @click.option("--all-sites", is_flag=True, help="One consolidated report across every site in the database.")
    @click.option("--paper", type=click.Choice(["a4", "letter"], case_sensitive=False), default="a4",
                  show_default=True)
    @click.option("--appendix/--no-appendix", default=None,
                  help="List every observation of the week at the end (default: for weeks of up to 60).")
    @click.option("--out", required=True, type=click.Path(dir_okay=False), help="PDF file to write.")
    @with_storage
    def report(storage, week_text: str, site_id: str | None, all_sites: bool, paper: str, appendix: bool | None,
               out: str) -> None:
        """Write the weekly insight report PDF: figures against last week, themes, observations,
        follow-ups, charts, who came and task coverage."""
        from ..services import settings

        try:
            today = local(utc_now(), settings.site_timezone(storage)).date()
            year, week = parse_week(week_text, today)
        except ValueError as exc:
            raise Fail(str(exc), 1) from None
        if all_sites and site_id:
            raise Fail(_("choose either --site or --all-sites, not both"), 1)
        if all_sites:
            try:
                from ..reports.consolidated import build_consolidated_report
            except ImportError:
                raise Fail(_("consolidated reports are not available in this version"), 1) from None
            path = build_consolidated_report(storage, year, week, Path(out), paper=paper.lower())
        else:
            from ..reports.weekly import build_weekly_report

            path = build_weekly_report(storage, year, week, Path(out), paper=paper.lower(), site_id=site_id,
                                       appendix=appendix)
        click.echo(_("report for {week} written to {file}").format(week=f"{year}-W{week:02d}", file=path))

    @main.command("badges")
    @click.option("--people", "people_ids", default=None,
                  help="Comma-separated person ids (or employee ids) to print.")
    @click.option("--department", default=None, help="Print everyone in this department.")
    @click.option("--all", "everyone", is_flag=True, help="Print everyone active with a valid badge (the default).")
    @click.option("--layout", "layout_name", type=click.Choice(["sheet", "card"], case_sensitive=False),
                  default="sheet", show_default=True, help="sheet: 8 per page; card: one CR80 card per page.")
    @click.option("--paper", type=click.Choice(["a4", "letter"], case_sensitive=False), default="a4",
                  show_default=True, help="Paper for the sheet layout.")
    @click.option("--out", required=True, type=click.Path(dir_okay=False), help="PDF file to write.")
    @with_storage
    def badges_command(storage, people_ids: str | None, department: str | None, everyone: bool, layout_name: str,
                       paper: str, out: str) -> None:
        """Write a PDF of badges with QR codes for active people's current badges."""
        from ..reports.badge_sheet import build_badge_sheet, select

        chosen = [p for p in (people_ids or "").split(",") if p.strip()] if people_ids is not None else None
        if sum(1 for flag in (chosen is not None, bool(department), everyone) if flag) > 1:
            raise Fail(_("choose one of --people, --department or --all"), 1)
        if chosen is not None and not chosen:
            raise Fail(_("--people needs at least one id"), 1)
        selection = select(storage, chosen, department)
        for reason in selection.skipped:
            click.echo("  " + _("skipped: {reason}").format(reason=reason), err=True)
        path = build_badge_sheet(storage, Path(out), person_ids=chosen, layout=layout_name.lower(),
                                 paper=paper.lower(), department=department)
        count = len(selection.badges)
        click.echo(ngettext("{count} badge written to {file}", "{count} badges written to {file}", count)
                   .format(count=format_number(count), file=path))
