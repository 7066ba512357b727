"""What the audit log records: who did what, to what, and whether it was allowed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    LOGOUT = "logout"
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_FAILED = "two_factor_failed"
    RECOVERY_CODE_USED = "recovery_code_used"
    REFUSED = "refused"
    STAFF_CREATED = "staff_created"
    PASSWORD_RESET = "password_reset"
    ROLE_CHANGED = "role_changed"
    STAFF_DISABLED = "staff_disabled"
    GATHERING_CREATED = "gathering_created"
    SERIES_CREATED = "series_created"
    BREAKOUT_ADDED = "breakout_added"
    GATHERING_CHANGED = "gathering_changed"
    GATHERING_STATUS_CHANGED = "gathering_status_changed"
    REGISTRANTS_MOVED = "registrants_moved"
    REGISTRANTS_EXPORTED = "registrants_exported"
    CHECKED_IN = "checked_in"
    CHECK_IN_UNDONE = "check_in_undone"
    ATTENDANCE_IMPORTED = "attendance_imported"
    TRANSCRIPT_DOWNLOADED = "transcript_downloaded"
    SELF_REPORT_DECIDED = "self_report_decided"
    GROUPS_PROPOSED = "groups_proposed"
    GROUPS_PUBLISHED = "groups_published"
    GROUPS_EDITED = "groups_edited"
    GROUP_FORMED = "group_formed"
    EMAIL_RESENT = "email_resent"
    CONFIRMATIONS_RESENT = "confirmations_resent"
    PARKED_REPLAYED = "parked_replayed"
    PARKED_DISCARDED = "parked_discarded"
    SYSTEM_REGISTERED = "system_registered"
    SYSTEM_SECRET_ROTATED = "system_secret_rotated"
    SYSTEM_DISABLED = "system_disabled"
    SYSTEM_ENABLED = "system_enabled"
    PERSON_DATA_EXPORTED = "person_data_exported"
    TICKET_MARKED_PAID = "ticket_marked_paid"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    staff_id: uuid.UUID | None
    staff_email: str | None
    action: AuditAction
    target: str | None
    detail: str | None
    address: str | None


@dataclass(frozen=True)
class AuditFilter:
    action: AuditAction | None = None
    staff_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
