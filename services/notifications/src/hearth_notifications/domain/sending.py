"""What an SMTP refusal means: which failures are worth retrying, and how long to wait."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """Why the SMTP server did not accept an email, and its reply code (None: no reply)."""

    reason: str
    code: int | None


def is_permanent_smtp_failure(code: int | None) -> bool:
    """5xx replies (bad address, rejected) will not change on retry; 4xx and no reply might."""
    return code is not None and 500 <= code < 600


def gives_up(refusal: Refusal, attempts: int, max_attempts: int) -> bool:
    """Fail for good after a 5xx, or once `attempts` (this one included) reach the limit."""
    return is_permanent_smtp_failure(refusal.code) or attempts >= max_attempts


def retry_delay_seconds(attempts: int) -> float:
    """Growing delays between SMTP attempts: 2, 4, 8 … capped at 10 minutes."""
    return float(min(2**attempts, 600))


def without_address(reason: str, address: str) -> str:
    """A refusal as a log line may carry it: SMTP replies often quote the recipient
    (`550 5.1.1 <x@y>: Recipient address rejected`), and logs carry ids, not addresses."""
    at = reason.lower().find(address.lower()) if address else -1
    while at >= 0:
        reason = reason[:at] + "<to_address>" + reason[at + len(address) :]
        at = reason.lower().find(address.lower())
    return reason
