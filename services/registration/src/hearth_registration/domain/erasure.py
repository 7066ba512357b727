"""Erasure: what stays of a person once they asked to be forgotten, and how a later record about
them is recognised without keeping their email."""

from __future__ import annotations

import hashlib
import uuid

ERASED_NAME = "erased"


def email_digest(email: str) -> str:
    """The tombstone's key: SHA-256 (hex) of the address as registration matches it (trimmed,
    lowercased)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def pseudonymous_email(person_id: uuid.UUID) -> str:
    """An address that names no one and cannot be delivered (`.invalid`, RFC 2606), unique per
    person as the people table requires."""
    return f"erased-{person_id}@erased.invalid"
