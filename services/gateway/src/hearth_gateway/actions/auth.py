"""Signing in and out: password (argon2id), the second factor, sessions. Every outcome is audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import asyncpg
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hearth_shared.db import Connection

from ..domain import two_factor
from ..domain.audit import AuditAction
from ..domain.sessions import SessionRules, SessionState, Stage, needs_touch, session_state
from ..domain.staff import NextStep, Session, Staff, after_password, normalise_code, stage_after_password
from ..store import audit, sessions, staff
from .throttle import LoginThrottle

HASHER = PasswordHasher()  # argon2id with argon2-cffi's RFC 9106 low-memory profile
# Verified against when no account matches, so an unknown address takes as long as a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class LoginOutcome(StrEnum):
    SIGNED_IN = "signed_in"
    REFUSED = "refused"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Login:
    outcome: LoginOutcome
    token: str | None = None
    next_step: NextStep | None = None


_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def _recovery_code() -> str:
    """Ten characters of a 32-letter alphabet: 50 random bits."""
    return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_matches(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def log_in(
    pool: asyncpg.Pool, throttle: LoginThrottle, email: str, password: str, address: str
) -> Login:
    """Check a password; on success open a session (half-open while a second factor is due)."""
    async with pool.acquire() as conn:
        if not await throttle.allows(conn, email, address):
            await audit.append(conn, None, AuditAction.LOGIN_THROTTLED, address=address)
            return Login(LoginOutcome.THROTTLED)
    async with pool.acquire() as conn, conn.transaction():
        found = await staff.credentials(conn, email)
        good = _password_matches(found.password_hash if found else _DUMMY_HASH, password)
        if found is None or not good or found.staff.disabled:
            await audit.append(
                conn, found.staff.id if found else None, AuditAction.LOGIN_FAILED, address=address
            )
            await throttle.failed(conn, email, address)  # with its audit entry, in one transaction
            return Login(LoginOutcome.REFUSED)
        token = await _open_session(conn, found.staff, stage_after_password(found.staff))
        if HASHER.check_needs_rehash(found.password_hash):
            await staff.set_password_hash(conn, found.staff.id, HASHER.hash(password))
        step = after_password(found.staff)
        if step is NextStep.DONE:
            await audit.append(conn, found.staff.id, AuditAction.LOGIN, address=address)
        return Login(LoginOutcome.SIGNED_IN, token, step)


async def _open_session(conn: Connection, member: Staff, stage: Stage) -> str:
    token = secrets.token_urlsafe(32)
    await sessions.insert(
        conn, token_hash(token), member.id, stage, secrets.token_urlsafe(32), datetime.now(UTC)
    )
    return token


async def current_session(pool: asyncpg.Pool, token: str, rules: SessionRules) -> Session | None:
    """The session a cookie names, if it still holds (an ended one is removed)."""
    now = datetime.now(UTC)
    async with pool.acquire() as conn:
        found = await sessions.find(conn, token_hash(token))
        if found is None:
            return None
        state = session_state(rules, found.stage, found.created_at, found.last_seen_at, now)
        if state is not SessionState.ACTIVE or found.staff.disabled:
            await sessions.delete(conn, token_hash(token))
            return None
        if needs_touch(found.last_seen_at, now):
            await sessions.touch(conn, token_hash(token), now)
        return found


async def verify_second_factor(
    pool: asyncpg.Pool, token: str, member: Staff, code: str, address: str
) -> bool:
    """A one-time code or an unused recovery code completes a half-open session."""
    typed = normalise_code(code)
    now = datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        found = await staff.credentials_of(conn, member.id)
        assert found is not None
        assert found.totp_secret is not None
        step = two_factor.matching_step(found.totp_secret, typed, now) if typed.isdigit() else None
        if step is not None and await staff.use_totp_step(conn, member.id, step):
            pass
        elif await staff.use_recovery_code(conn, member.id, two_factor.recovery_code_hash(typed), now):
            await audit.append(conn, member.id, AuditAction.RECOVERY_CODE_USED, address=address)
        else:
            await audit.append(conn, member.id, AuditAction.TWO_FACTOR_FAILED, address=address)
            return False
        await sessions.complete(conn, token_hash(token), now)
        await audit.append(conn, member.id, AuditAction.LOGIN, address=address)
        return True


async def begin_two_factor_setup(pool: asyncpg.Pool, member: Staff) -> str:
    """The secret being set up for `member` (kept until confirmed, so a reload shows the same)."""
    async with pool.acquire() as conn, conn.transaction():
        found = await staff.credentials_of(conn, member.id)
        assert found is not None
        if found.totp_secret:
            return found.totp_secret
        secret = pyotp.random_base32()
        await staff.set_totp_secret(conn, member.id, secret)
        return secret


async def finish_two_factor_setup(
    pool: asyncpg.Pool, token: str, member: Staff, code: str, address: str
) -> list[str] | None:
    """Turn two-factor on once a code from the new secret is typed; the recovery codes, shown once."""
    now = datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        found = await staff.credentials_of(conn, member.id)
        assert found is not None
        assert found.totp_secret is not None
        step = two_factor.matching_step(found.totp_secret, normalise_code(code), now)
        if step is None:
            await audit.append(conn, member.id, AuditAction.TWO_FACTOR_FAILED, address=address)
            return None
        codes = [_recovery_code() for _ in range(two_factor.RECOVERY_CODES)]
        await staff.enable_totp(conn, member.id, step, now)
        await staff.replace_recovery_codes(conn, member.id, [two_factor.recovery_code_hash(c) for c in codes])
        await sessions.complete(conn, token_hash(token), now)
        await audit.append(conn, member.id, AuditAction.TWO_FACTOR_ENABLED, address=address)
        return [two_factor.shown(c) for c in codes]


async def log_out(pool: asyncpg.Pool, token: str, member: Staff, address: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await sessions.delete(conn, token_hash(token))
        await audit.append(conn, member.id, AuditAction.LOGOUT, address=address)
