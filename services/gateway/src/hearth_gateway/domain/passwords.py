"""What a staff password must be. Long rather than clever (NIST SP 800-63B): a minimum length,
no composition rules, nothing derived from the account's own address."""

from __future__ import annotations

from dataclasses import dataclass

from .words import N_

MIN_LENGTH = 12
MAX_LENGTH = 256


@dataclass(frozen=True)
class PasswordProblem:
    code: str
    message: str


def password_problems(password: str, email: str) -> list[PasswordProblem]:
    """Every reason `password` may not be used for the account `email` (empty: it may)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(PasswordProblem("too_short", N_("Use at least 12 characters.")))
    if len(password) > MAX_LENGTH:
        problems.append(PasswordProblem("too_long", N_("Use at most 256 characters.")))
    local = email.split("@", 1)[0].lower()
    if len(local) >= 3 and local in password.lower():
        problems.append(PasswordProblem("contains_email", N_("Do not use your email address in it.")))
    if password and len(set(password)) < 4:
        problems.append(PasswordProblem("repetitive", N_("Use more than a few different characters.")))
    return problems
