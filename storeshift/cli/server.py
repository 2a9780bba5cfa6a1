"""The `storeshift server init/add-site/revoke-site` commands (head office) and `storeshift sync --server`."""

from __future__ import annotations

import click

from ..i18n import _, format_list


def register(main: click.Group, with_storage, Fail) -> None:  # noqa: N803 (the core passes the class)
    @main.group("server")
    def server_group() -> None:
        """Head office's PostgreSQL server (docs/SITES.md). Run at head office; --db is head office's own
        database (these commands only open it, like every command)."""

    @server_group.command("init")
    @click.option("--server", "url", required=True, metavar="URL", help="postgresql://admin:password@host/db")
    @with_storage
    def init_command(storage, url: str) -> None:
        """Create or upgrade the server's tables (safe to run again)."""
        from ..server import schema

        applied = schema.init(url)
        if applied:
            click.echo(_("The server {server} is ready (applied {changes}).").format(
                server=schema.redact(url), changes=format_list(applied)))
        else:
            click.echo(_("The server {server} is ready (nothing to upgrade).").format(server=schema.redact(url)))

    @server_group.command("add-site")
    @click.option("--server", "url", required=True, metavar="URL", help="postgresql://admin:password@host/db")
    @click.option("--site", "site", required=True, help="The site's name, e.g. Riverside.")
    @click.option("--head-office", is_flag=True, help="This credential is head office's: it reads every site.")
    @with_storage
    def add_site_command(storage, url: str, site: str, head_office: bool) -> None:
        """Make a site's own credential and print the URL it syncs with (shown once: keep it private)."""
        from ..server import schema

        site_url = schema.add_site(url, site, head_office)
        click.echo(_("{site} syncs with this URL (shown once; give it to the site privately):").format(site=site)
                   + f"\n{site_url}")

    @server_group.command("revoke-site")
    @click.option("--server", "url", required=True, metavar="URL", help="postgresql://admin:password@host/db")
    @click.option("--site", "site", required=True, help="The site's name.")
    @with_storage
    def revoke_command(storage, url: str, site: str) -> None:
        """Stop a site's credential working at once (its data stays on the server)."""
        from ..server import schema

        schema.revoke_site(url, site)
        click.echo(_("The credential of {site} no longer works; make a new one with add-site under another name.")
                   .format(site=site))

    @main.command("sync")
    @click.option("--server", "url", default=None, metavar="URL",
                  help="The URL head office gave this site (remembered; later syncs need no URL).")
    @with_storage
    def sync_command(storage, url: str | None) -> None:
        """Send this site's changes to head office's server and bring in the others' (safe to repeat)."""
        from ..server.sync import sync

        click.echo(sync(storage, url).summary())
