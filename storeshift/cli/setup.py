"""The `storeshift setup` command: a store's first day, in the order it is done."""

from __future__ import annotations

from pathlib import Path

import click

from .. import i18n
from ..i18n import _

HELP = """Set up a store: language, organisation key, site name, time zone, opening hours,
shift-lead PIN, then roster and tasks. Creates the database if there is none. Run it again
to change any of them: only what is given changes. What it says is in the language given
(or the store's).

\b
Example:
  storeshift setup --org-key headoffice.key --site-name "Lyon Part-Dieu" \\
      --timezone Europe/Paris --language fr \\
      --opening-hours "Mon-Sat 09:00-20:00, Sun closed" --pin 4821 \\
      --roster export_rh.csv --tasks tasks.csv
"""


def register(main: click.Group, with_storage, Fail) -> None:  # noqa: N803 (the core passes the class)
    @main.command("setup", help=HELP)
    @click.option("--org-key", "org_key", type=click.Path(dir_okay=False), default=None,
                  help="Head office's organisation key file (from 'storeshift org-key export'), so badges "
                       "work at every site. Before anyone is added.")
    @click.option("--new-organisation", default=None, metavar="NAME",
                  help="Start a new organisation with a key of its own (a store on its own, or head office).")
    @click.option("--site-name", default=None, help="The name badges and reports print, e.g. 'Lyon Part-Dieu'.")
    @click.option("--timezone", default=None, help="The site's time zone, e.g. Europe/Paris.")
    @click.option("--language", default=None, type=click.Choice(i18n.available(), case_sensitive=False),
                  help="The site's language.")
    @click.option("--opening-hours", default=None, metavar="HOURS",
                  help="Opening and closing hours, e.g. 'Mon-Fri 09:00-21:00, Sat 09:00-18:00, Sun closed'. "
                       "Visits nobody checked out end at closing time.")
    @click.option("--pin", default=None, help="The shift-lead PIN (4 to 12 digits): leaves the kiosk, "
                                              "unlocks the shift-lead window.")
    @click.option("--current-pin", default=None, help="The PIN now in use, to change it.")
    @click.option("--roster", type=click.Path(dir_okay=False), default=None,
                  help="The people: a CSV as HR exports it (English, French or German headers).")
    @click.option("--map", "mapping", default=None, metavar='FIELD="Column",...',
                  help='Which roster column holds what, where the headers do not say: '
                       'name="Full Name",email="Work Email".')
    @click.option("--tasks", "tasks_file", type=click.Path(dir_okay=False), default=None,
                  help="The task catalogue CSV (title, description, area, minutes, capacity).")
    @click.option("--skip-invalid", is_flag=True, help="Import the good lines of the CSVs and list the bad ones.")
    @with_storage(create=True)
    def setup_command(storage, org_key, new_organisation, site_name, timezone, language, opening_hours, pin,
                      current_pin, roster, mapping, tasks_file, skip_invalid) -> None:
        from ..services import setup
        from ..services.csvio import parse_mapping

        if language:  # everything from here on is said in the language being chosen
            i18n.set_site_language(language)

        plan = setup.StoreSetup(
            org_key_file=Path(org_key) if org_key else None, new_organisation=new_organisation,
            site_name=site_name, timezone=timezone, language=language, opening_hours=opening_hours,
            pin=pin, current_pin=current_pin, roster=Path(roster) if roster else None,
            roster_mapping=parse_mapping(mapping) if mapping else None,
            tasks=Path(tasks_file) if tasks_file else None, skip_invalid=skip_invalid)
        if mapping and not roster:
            raise Fail(_("--map says how to read the roster: give the roster too (--roster FILE)"), 1)
        changes = setup.apply(storage, plan)
        for line in changes:
            click.echo(line, err=line.startswith("  "))  # the skipped lines of a CSV
        if not changes:
            click.echo(_("nothing changed"))
        click.echo("\n" + _("store set up in {file}:").format(file=storage.path))
        for line in setup.summary(storage):
            click.echo(f"  {line}")
