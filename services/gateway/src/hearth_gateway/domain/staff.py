"""Staff members as the rest of the gateway sees them, and where a sign-in goes next."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .roles import Role, two_factor_required
from .sessions import Stage


@dataclass(frozen=True)
class Staff:
    id: uuid.UUID
    email: str
    role: Role
    two_factor_enabled: bool
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Credentials:
    """What a sign-in is checked against; never leaves the login path."""

    staff: Staff
    password_hash: str
    totp_secret: str | None
    totp_last_step: int | None


@dataclass(frozen=True)
class Session:
    staff: Staff
    stage: Stage
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime


class NextStep(StrEnum):
    ENTER_CODE = "enter_code"
    SET_UP_TWO_FACTOR = "set_up_two_factor"
    DONE = "done"


def after_password(staff: Staff) -> NextStep:
    """After a correct password: a code when two-factor is on, set-up when the role requires it."""
    if staff.two_factor_enabled:
        return NextStep.ENTER_CODE
    if two_factor_required(staff.role):
        return NextStep.SET_UP_TWO_FACTOR
    return NextStep.DONE


def stage_after_password(staff: Staff) -> Stage:
    return Stage.COMPLETE if after_password(staff) is NextStep.DONE else Stage.PASSWORD


def normalise_code(text: str) -> str:
    """A one-time or recovery code as typed: spaces and dashes dropped, lower case."""
    return "".join(c for c in text if c.isalnum()).lower()
