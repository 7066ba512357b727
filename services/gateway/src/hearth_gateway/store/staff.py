"""Staff accounts and their second factor."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import asyncpg

from hearth_shared.db import Connection

from ..domain.roles import Role
from ..domain.staff import Credentials, Staff

_COLUMNS = "id, email, role, totp_enabled_at, disabled_at, created_at"


def _staff(row: asyncpg.Record) -> Staff:
    return Staff(
        id=row["id"],
        email=row["email"],
        role=Role(row["role"]),
        two_factor_enabled=row["totp_enabled_at"] is not None,
        disabled=row["disabled_at"] is not None,
        created_at=row["created_at"],
    )


async def insert(conn: Connection, email: str, role: Role, password_hash: str) -> Staff | None:
    """The new account, or None when the address is taken."""
    row = await conn.fetchrow(
        f"""INSERT INTO staff (id, email, role, password_hash) VALUES ($1, $2, $3, $4)
            ON CONFLICT DO NOTHING RETURNING {_COLUMNS}""",  # noqa: S608 - fixed column lists and clauses; values are parameters
        uuid.uuid4(),
        email,
        role.value,
        password_hash,
    )
    return None if row is None else _staff(row)


async def get(conn: Connection, staff_id: uuid.UUID) -> Staff | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM staff WHERE id = $1", staff_id)  # noqa: S608 - fixed column lists and clauses; values are parameters
    return None if row is None else _staff(row)


async def list_all(conn: Connection) -> list[Staff]:
    return [_staff(r) for r in await conn.fetch(f"SELECT {_COLUMNS} FROM staff ORDER BY lower(email)")]  # noqa: S608 - fixed column lists and clauses; values are parameters


async def credentials(conn: Connection, email: str) -> Credentials | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS}, password_hash, totp_secret, totp_last_step FROM staff WHERE lower(email) = lower($1)",  # noqa: E501, S608
        email,
    )
    return None if row is None else _credentials(row)


async def credentials_of(conn: Connection, staff_id: uuid.UUID) -> Credentials | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS}, password_hash, totp_secret, totp_last_step FROM staff WHERE id = $1 FOR UPDATE",  # noqa: S608 - fixed column lists and clauses; values are parameters
        staff_id,
    )
    return None if row is None else _credentials(row)


def _credentials(row: asyncpg.Record) -> Credentials:
    return Credentials(_staff(row), row["password_hash"], row["totp_secret"], row["totp_last_step"])


async def set_password_hash(conn: Connection, staff_id: uuid.UUID, password_hash: str) -> None:
    await conn.execute("UPDATE staff SET password_hash = $2 WHERE id = $1", staff_id, password_hash)


async def set_role(conn: Connection, staff_id: uuid.UUID, role: Role) -> None:
    await conn.execute("UPDATE staff SET role = $2 WHERE id = $1", staff_id, role.value)


async def disable(conn: Connection, staff_id: uuid.UUID, at: datetime) -> None:
    await conn.execute("UPDATE staff SET disabled_at = $2 WHERE id = $1", staff_id, at)


async def set_totp_secret(conn: Connection, staff_id: uuid.UUID, secret: str) -> None:
    """A secret being set up: not in force until `enable_totp`."""
    await conn.execute(
        "UPDATE staff SET totp_secret = $2 WHERE id = $1 AND totp_enabled_at IS NULL", staff_id, secret
    )


async def enable_totp(conn: Connection, staff_id: uuid.UUID, step: int, at: datetime) -> None:
    await conn.execute(
        "UPDATE staff SET totp_enabled_at = $3, totp_last_step = $2 WHERE id = $1", staff_id, step, at
    )


async def use_totp_step(conn: Connection, staff_id: uuid.UUID, step: int) -> bool:
    """Record the time step of a code just used; False when it (or a later one) was used already."""
    done = await conn.fetchval(
        """UPDATE staff SET totp_last_step = $2
           WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING 1""",
        staff_id,
        step,
    )
    return done is not None


async def replace_recovery_codes(conn: Connection, staff_id: uuid.UUID, hashes: Sequence[str]) -> None:
    await conn.execute("DELETE FROM recovery_codes WHERE staff_id = $1", staff_id)
    await conn.executemany(
        "INSERT INTO recovery_codes (staff_id, code_hash) VALUES ($1, $2)", [(staff_id, h) for h in hashes]
    )


async def use_recovery_code(conn: Connection, staff_id: uuid.UUID, code_hash: str, at: datetime) -> bool:
    done = await conn.fetchval(
        """UPDATE recovery_codes SET used_at = $3
           WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING 1""",
        staff_id,
        code_hash,
        at,
    )
    return done is not None


async def count_admins(conn: Connection) -> int:
    return int(
        await conn.fetchval("SELECT count(*) FROM staff WHERE role = 'admin' AND disabled_at IS NULL") or 0
    )
