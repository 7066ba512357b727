"""When a staff session ends: after a spell of inactivity (idle) or a fixed time after sign-in
(absolute), whichever comes first. A session is half-open until the second factor is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# Activity is written back at most this often, so a page view is not a write every time.
TOUCH_EVERY = timedelta(seconds=60)


class Stage(StrEnum):
    PASSWORD = "password"  # the password was right; the second factor is still to come
    COMPLETE = "complete"


class SessionState(StrEnum):
    ACTIVE = "active"
    IDLE = "idle"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SessionRules:
    idle: timedelta
    absolute: timedelta
    # A half-open session (password given, second factor not yet) is short-lived.
    half_open: timedelta = timedelta(minutes=10)


def session_state(
    rules: SessionRules, stage: Stage, created_at: datetime, last_seen_at: datetime, now: datetime
) -> SessionState:
    """Whether a session begun at `created_at` and last used at `last_seen_at` still holds."""
    limit = rules.absolute if stage is Stage.COMPLETE else rules.half_open
    if now - created_at >= limit:
        return SessionState.EXPIRED
    if now - last_seen_at >= rules.idle:
        return SessionState.IDLE
    return SessionState.ACTIVE


def needs_touch(last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at >= TOUCH_EVERY
