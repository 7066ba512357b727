"""Create the database, one schema and one login role per service.

Each role owns its own schema and is given nothing else, so a service that tries to read another
service's tables is refused by Postgres itself. Run with an administrative DSN (deploy step, the
local run script, or the test fixtures). Identifiers go through `format('%I')` on the server so
nothing is spliced into SQL by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import os

import asyncpg

SERVICES = ("registration", "credits", "groups", "notifications", "gateway")


def passwords_from_env(kind: str) -> dict[str, str]:
    """`{service: password}` from `HEARTH_<SERVICE>_<kind>_PASSWORD`, for the services that have one.
    Passwords come from the environment (a Kubernetes secret, a local .env), never the repo."""
    found = {s: os.environ.get(f"HEARTH_{s.upper()}_{kind}_PASSWORD", "") for s in SERVICES}
    return {s: password for s, password in found.items() if password}


def role_name(service: str, role_prefix: str = "hearth_") -> str:
    return f"{role_prefix}{service}"


async def _execute_formatted(conn: asyncpg.Connection, template: str, *args: str) -> None:
    statement = await conn.fetchval("SELECT format($1, VARIADIC $2::text[])", template, list(args))
    await conn.execute(statement)


async def create_database(admin_dsn: str, database: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await _execute_formatted(conn, "CREATE DATABASE %I", database)
    finally:
        await conn.close()


async def provision(
    admin_dsn: str,
    database: str,
    *,
    services: tuple[str, ...] = SERVICES,
    role_prefix: str = "hearth_",
    passwords: dict[str, str] | None = None,
) -> None:
    """Idempotently create `database`, and for each service its role and its schema."""
    await create_database(admin_dsn, database)
    conn = await asyncpg.connect(admin_dsn, database=database)
    try:
        await _execute_formatted(conn, "REVOKE ALL ON DATABASE %I FROM PUBLIC", database)
        await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        for service in services:
            role = role_name(service, role_prefix)
            if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                await _execute_formatted(conn, "CREATE ROLE %I LOGIN", role)
            password = (passwords or {}).get(service)
            if password:
                await _execute_formatted(conn, "ALTER ROLE %I PASSWORD %L", role, password)
            await _execute_formatted(conn, "GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I", database, role)
            await _execute_formatted(conn, "CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I", service, role)
            await _execute_formatted(conn, "REVOKE ALL ON SCHEMA %I FROM PUBLIC", service)
    finally:
        await conn.close()


async def drop(
    admin_dsn: str, database: str, *, role_prefix: str, services: tuple[str, ...] = SERVICES
) -> None:
    """Remove a database and its service roles (used by test sessions to clean up after themselves)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        await _execute_formatted(conn, "DROP DATABASE IF EXISTS %I WITH (FORCE)", database)
        for service in services:
            await _execute_formatted(conn, "DROP ROLE IF EXISTS %I", role_name(service, role_prefix))
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--admin-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="hearth")
    parser.add_argument("--role-prefix", default="hearth_")
    args = parser.parse_args()
    passwords = passwords_from_env("DB")
    asyncio.run(provision(args.admin_dsn, args.database, role_prefix=args.role_prefix, passwords=passwords))


if __name__ == "__main__":
    main()
