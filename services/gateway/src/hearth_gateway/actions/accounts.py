"""Staff accounts: the first admin (command line), accounts made by an admin, password resets,
role changes, disabling. A reset or a role change ends the person's sessions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from hearth_shared.db import Connection

from ..domain.audit import AuditAction
from ..domain.passwords import PasswordProblem, password_problems
from ..domain.roles import Role
from ..domain.staff import Staff
from ..domain.words import N_
from ..store import audit, sessions, staff
from .auth import HASHER


class AccountRefused(Exception):
    """What was asked of an account cannot be done; `problems` say why, field by field."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(m for _, m in problems))
        self.problems = problems


def _check_password(password: str, email: str) -> None:
    problems: list[PasswordProblem] = password_problems(password, email)
    if problems:
        raise AccountRefused([("password", p.message) for p in problems])


async def create_staff(
    pool: asyncpg.Pool, actor: uuid.UUID | None, email: str, role: Role, password: str, address: str | None
) -> Staff:
    """A new account (AccountRefused when the address is taken or the password too weak)."""
    email = email.strip()
    if "@" not in email or len(email) > 320:
        raise AccountRefused([("email", N_("Enter an email address, like name@example.org."))])
    _check_password(password, email)
    async with pool.acquire() as conn, conn.transaction():
        made = await staff.insert(conn, email, role, HASHER.hash(password))
        if made is None:
            raise AccountRefused([("email", N_("A staff account already uses this email address."))])
        await audit.append(
            conn, actor, AuditAction.STAFF_CREATED, target=str(made.id), detail=role.value, address=address
        )
        return made


async def _existing(conn: Connection, staff_id: uuid.UUID) -> Staff:
    member = await staff.get(conn, staff_id)
    if member is None:
        raise AccountRefused([("staff", N_("There is no such staff account."))])
    return member


async def reset_password(
    pool: asyncpg.Pool, actor: uuid.UUID, staff_id: uuid.UUID, password: str, address: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        member = await _existing(conn, staff_id)
        _check_password(password, member.email)
        await staff.set_password_hash(conn, staff_id, HASHER.hash(password))
        await sessions.delete_for_staff(conn, staff_id)
        await audit.append(conn, actor, AuditAction.PASSWORD_RESET, target=str(staff_id), address=address)


async def reset_password_by_email(pool: asyncpg.Pool, email: str, password: str) -> Staff:
    """From the command line (an operator with the database's credentials): no staff actor."""
    async with pool.acquire() as conn, conn.transaction():
        found = await staff.credentials(conn, email)
        if found is None:
            raise AccountRefused([("email", N_("There is no such staff account."))])
        _check_password(password, found.staff.email)
        await staff.set_password_hash(conn, found.staff.id, HASHER.hash(password))
        await sessions.delete_for_staff(conn, found.staff.id)
        await audit.append(
            conn, None, AuditAction.PASSWORD_RESET, target=str(found.staff.id), detail="command line"
        )
        return found.staff


async def change_role(
    pool: asyncpg.Pool, actor: uuid.UUID, staff_id: uuid.UUID, role: Role, address: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        member = await _existing(conn, staff_id)
        if member.role is Role.ADMIN and role is not Role.ADMIN and await staff.count_admins(conn) <= 1:
            raise AccountRefused([("role", N_("Keep at least one admin: make another admin first."))])
        await staff.set_role(conn, staff_id, role)
        await sessions.delete_for_staff(conn, staff_id)
        await audit.append(
            conn, actor, AuditAction.ROLE_CHANGED, target=str(staff_id), detail=role.value, address=address
        )


async def disable_staff(pool: asyncpg.Pool, actor: uuid.UUID, staff_id: uuid.UUID, address: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        member = await staff.get(conn, staff_id)
        if member is None or member.id == actor:
            raise AccountRefused([("staff", N_("You cannot disable your own account."))])
        if member.role is Role.ADMIN and await staff.count_admins(conn) <= 1:
            raise AccountRefused([("staff", N_("Keep at least one admin: make another admin first."))])
        await staff.disable(conn, staff_id, datetime.now(UTC))
        await sessions.delete_for_staff(conn, staff_id)
        await audit.append(conn, actor, AuditAction.STAFF_DISABLED, target=str(staff_id), address=address)
