"""Time-based one-time codes (RFC 6238, via pyotp) and recovery codes: what counts as a match.
Pure: the secret, the code and the instant are given."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import pyotp

ISSUER = "Hearth"
RECOVERY_CODES = 10
STEP_SECONDS = 30


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code is `code` (this one or either neighbour, for clock drift)."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, email: str) -> str:
    """What an authenticator app reads (as a QR code or a link)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def recovery_code_hash(code: str) -> str:
    """Recovery codes carry 50 random bits each, so a plain SHA-256 is enough to keep them from
    being read back; a slow hash protects guessable secrets, which these are not."""
    return hashlib.sha256(code.encode()).hexdigest()


def shown(code: str) -> str:
    """A recovery code as printed for a person: two groups of five."""
    return f"{code[:5]}-{code[5:]}"
