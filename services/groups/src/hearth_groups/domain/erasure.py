"""Erasure: how an email names a person here without the email being kept."""

from __future__ import annotations

import hashlib


def email_digest(email: str) -> bytes:
    """SHA-256 of the address as Hearth compares addresses (trimmed, case-folded)."""
    return hashlib.sha256(email.strip().lower().encode()).digest()
