"""The `storeshift floor` command: the roll call, who is on site now (for an evacuation)."""

from __future__ import annotations

import json

import click


def register(main: click.Group, with_storage, Fail) -> None:  # noqa: N803 (the core passes the class)
    @main.command("floor")
    @click.option("--json", "as_json", is_flag=True,
                  help="A JSON list of objects: person_id, name, department, since (ISO UTC), task.")
    @click.option("--pdf", "pdf", default=None, type=click.Path(dir_okay=False),
                  help="Also write the one-page roll call PDF to this file.")
    @with_storage
    def floor_command(storage, as_json: bool, pdf: str | None) -> None:
        """Roll call: everyone checked in on site now, with department, since when and their task.
        Never lists a visit that closing time has ended."""
        from ..reports.rollcall import since_text
        from ..services import settings, visits
        from ..timeutil import utc_now

        now = utc_now()
        people = visits.roll_call(storage, now)
        if pdf:
            from ..reports.rollcall import build_roll_call

            build_roll_call(storage, pdf, now=now)
        if as_json:
            click.echo(json.dumps(people, ensure_ascii=False, indent=2))
            return
        tz = settings.site_timezone(storage)
        if not people:
            click.echo("Nobody is on site.")
            return
        rows = [(p["name"], p["department"] or "", since_text(p["since"], now, tz), p["task"] or "-")
                for p in people]
        widths = [max(len(heading), *(len(r[i]) for r in rows))
                  for i, heading in enumerate(("Name", "Department", "Since", "Task"))]
        for line in [("Name", "Department", "Since", "Task"), *rows]:
            click.echo("  ".join(value.ljust(width) for value, width in zip(line, widths)).rstrip())
        click.echo(f"{len(people)} {'person' if len(people) == 1 else 'people'} on site"
                   + (f"; roll call written to {pdf}" if pdf else ""))
