"""Staff roles and what each may do. Every route names one permission; nothing else decides."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CHECK_IN = "check_in"  # check-in and attendance only, as event staff at the door need
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW_GATHERINGS = "view_gatherings"
    MANAGE_GATHERINGS = "manage_gatherings"
    VIEW_REGISTRANTS = "view_registrants"
    EXPORT_REGISTRANTS = "export_registrants"
    CHECK_IN = "check_in"
    VIEW_PEOPLE = "view_people"
    DECIDE_SELF_REPORTS = "decide_self_reports"
    VIEW_GROUPS = "view_groups"
    MANAGE_GROUPS = "manage_groups"  # propose, edit and publish groups; form one from a breakout
    VIEW_EMAILS = "view_emails"
    RESEND_EMAILS = "resend_emails"
    HANDLE_PARKED = "handle_parked"
    VIEW_AUDIT = "view_audit"
    MANAGE_STAFF = "manage_staff"
    MANAGE_SYSTEMS = "manage_systems"  # outside systems that publish through the HTTP door
    EXPORT_PERSON_DATA = "export_person_data"  # a person's whole record (right of access): admins
    OWN_ACCOUNT = "own_account"  # sign out, set up two-factor authentication


_READ = {
    Permission.VIEW_GATHERINGS,
    Permission.VIEW_REGISTRANTS,
    Permission.VIEW_PEOPLE,
    Permission.VIEW_GROUPS,
    Permission.VIEW_EMAILS,
    Permission.OWN_ACCOUNT,
}
_COORDINATE = _READ | {
    Permission.MANAGE_GATHERINGS,
    Permission.EXPORT_REGISTRANTS,
    Permission.CHECK_IN,
    Permission.DECIDE_SELF_REPORTS,
    Permission.MANAGE_GROUPS,
    Permission.RESEND_EMAILS,
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.COORDINATOR: frozenset(_COORDINATE),
    Role.CHECK_IN: frozenset({Permission.VIEW_GATHERINGS, Permission.CHECK_IN, Permission.OWN_ACCOUNT}),
    Role.VIEWER: frozenset(_READ),
}


def may(role: Role, permission: Permission) -> bool:
    """Whether staff with `role` may do what `permission` names."""
    return permission in GRANTS[role]


def two_factor_required(role: Role) -> bool:
    """Admins hold every key (staff accounts, parked messages): a password alone never suffices."""
    return role is Role.ADMIN
