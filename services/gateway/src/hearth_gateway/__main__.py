"""`python -m hearth_gateway` serves the gateway. For operators with the database's credentials:

    python -m hearth_gateway create-admin --email ADDRESS     # the first admin (or another)
    python -m hearth_gateway reset-password --email ADDRESS   # when no admin can sign in
    python -m hearth_gateway migrate                          # apply the migrations, exit

The password comes from HEARTH_ADMIN_PASSWORD, or is asked for twice."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from hearth_shared import migrate_command
from hearth_shared.api import serve
from hearth_shared.db import connect_with_retry, migrate

from .actions.accounts import AccountRefused, create_staff, reset_password_by_email
from .app import SERVICE, create_app
from .domain.roles import Role
from .settings import GatewaySettings


def _password() -> str:
    given = os.environ.get("HEARTH_ADMIN_PASSWORD")
    if given:
        return given
    first = getpass.getpass("Password: ")
    if getpass.getpass("The same password again: ") != first:
        sys.exit("The two passwords differ; nothing was changed.")
    return first


async def _account(settings: GatewaySettings, command: str, email: str, password: str) -> None:
    pool = await connect_with_retry(settings.database_url, SERVICE, attempts=10)
    try:
        await migrate(pool, SERVICE, ["hearth_shared.migrations", "hearth_gateway.store.migrations"])
        if command == "create-admin":
            made = await create_staff(pool, None, email, Role.ADMIN, password, None)
            print(f"Admin {made.id} created. At first sign-in they set up two-factor authentication.")
        else:
            found = await reset_password_by_email(pool, email, password)
            print(f"Password of {found.id} reset; their sessions are ended.")
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m hearth_gateway",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command")
    for name, text in (("create-admin", "make an admin account"), ("reset-password", "set a staff password")):
        commands.add_parser(name, help=text).add_argument("--email", required=True)
    commands.add_parser("migrate", help="apply the database migrations and exit")
    args = parser.parse_args()
    settings = GatewaySettings()
    if args.command == "migrate":
        migrate_command.run(settings.database_url, SERVICE, "hearth_gateway.store.migrations")
        return
    if args.command:
        try:
            asyncio.run(_account(settings, args.command, args.email, _password()))
        except AccountRefused as exc:
            sys.exit(f"Not done: {exc}")
        return
    serve(create_app(settings), settings, SERVICE)


main()
