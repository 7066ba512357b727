"""`python -m hearth_gateway` serves the gateway; `python -m hearth_gateway create-admin --email
ADDRESS` makes an admin account (the password from HEARTH_ADMIN_PASSWORD, or asked for twice)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from hearth_shared.api import serve
from hearth_shared.db import connect_with_retry, migrate

from .actions.accounts import AccountRefused, create_staff
from .app import SERVICE, create_app
from .domain.roles import Role
from .settings import GatewaySettings


def _password() -> str:
    given = os.environ.get("HEARTH_ADMIN_PASSWORD")
    if given:
        return given
    first = getpass.getpass("Password for the new admin: ")
    if getpass.getpass("The same password again: ") != first:
        sys.exit("The two passwords differ; nothing was created.")
    return first


async def _create_admin(settings: GatewaySettings, email: str, password: str) -> None:
    pool = await connect_with_retry(settings.database_url, SERVICE, attempts=10)
    try:
        await migrate(pool, SERVICE, ["hearth_shared.migrations", "hearth_gateway.store.migrations"])
        made = await create_staff(pool, None, email, Role.ADMIN, password, None)
    finally:
        await pool.close()
    print(f"Admin {made.id} created. At first sign-in they set up two-factor authentication.")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hearth_gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    admin = commands.add_parser("create-admin", help="make an admin account")
    admin.add_argument("--email", required=True)
    args = parser.parse_args()
    settings = GatewaySettings()
    if args.command == "create-admin":
        try:
            asyncio.run(_create_admin(settings, args.email, _password()))
        except AccountRefused as exc:
            sys.exit(f"Not created: {exc}")
        return
    serve(create_app(settings), settings, SERVICE)


main()
