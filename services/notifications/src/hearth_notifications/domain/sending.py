"""What an SMTP reply means, by the phase of the session it answers: whether the email is sent,
failed for good, worth another try later, or whether the *server* (not this email) is the trouble
and sending pauses for every email; and how long to wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Phase(StrEnum):
    """Where in the SMTP session the reply came."""

    CONNECT = "connect"  # connecting, greeting, EHLO, STARTTLS
    AUTH = "auth"  # AUTH (login)
    SENDER = "sender"  # MAIL FROM
    RECIPIENT = "recipient"  # RCPT TO
    DATA = "data"  # DATA and the message
    BUILD = "build"  # the MIME document could not be built (no SMTP at all)


class Verdict(StrEnum):
    FAILED = "failed"  # this email will never be accepted: fail it, with the reason
    RETRY = "retry"  # this email may be accepted later: try it again after a delay
    PAUSE = "pause"  # the server refuses every email (auth, sender, unreachable): stop, keep all queued


@dataclass(frozen=True)
class Refusal:
    """Why the SMTP server did not accept an email, its reply code (None: no reply) and the phase."""

    reason: str
    code: int | None
    phase: Phase = Phase.DATA


# Authentication required / failed / too weak / must use TLS (RFC 4954), and 421 "service not
# available": whichever command they answer, the next email would get the same.
SERVICE_WIDE_CODES = frozenset({421, 454, 530, 534, 535, 538})


def verdict(refusal: Refusal) -> Verdict:
    """Only a 5xx to RCPT or DATA (this address, this message) fails an email; a refusal before
    the recipient is named (connection, STARTTLS, AUTH, MAIL FROM) is about the service — a
    rotated password must not fail every queued email for good."""
    if refusal.phase is Phase.BUILD:
        return Verdict.FAILED
    if refusal.code in SERVICE_WIDE_CODES:
        return Verdict.PAUSE
    if refusal.phase in (Phase.CONNECT, Phase.AUTH, Phase.SENDER):
        return Verdict.PAUSE
    if refusal.code is not None and 500 <= refusal.code < 600:
        return Verdict.FAILED
    return Verdict.RETRY


def is_permanent_smtp_failure(code: int | None, phase: Phase = Phase.RECIPIENT) -> bool:
    """A 5xx reply to RCPT or DATA (bad address, message rejected) will not change on retry."""
    return verdict(Refusal("", code, phase)) is Verdict.FAILED


def gives_up(refusal: Refusal, created_at: datetime, now: datetime, budget: timedelta) -> bool:
    """Fail for good when the reply says so, or when a transient trouble of this email has lasted
    longer than the retry budget (days: a relay's greylisting or a full mailbox can last hours)."""
    outcome = verdict(refusal)
    return outcome is Verdict.FAILED or (outcome is Verdict.RETRY and now - created_at >= budget)


def retry_delay_seconds(attempts: int) -> float:
    """Growing delays between attempts at one email: 2, 4, 8 … capped at an hour."""
    return float(min(2 ** min(attempts, 20), 3600))


def pause_seconds(pauses_in_a_row: int, longest: float) -> float:
    """How long sending pauses after the server refused the service: 1, 2, 4 … capped."""
    return float(min(2 ** max(pauses_in_a_row - 1, 0), longest))


# NotificationFailed.reason's limit (the contract's max_length).
REASON_LIMIT = 4000


def storable_reason(reason: str) -> str:
    """A reason the contract accepts: no NUL or lone surrogate, at most REASON_LIMIT characters
    (an SMTP server's reply is not ours to trust)."""
    cleaned = reason.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return cleaned if len(cleaned) <= REASON_LIMIT else cleaned[: REASON_LIMIT - 1] + "…"


def without_address(reason: str, address: str) -> str:
    """A refusal as a log line may carry it: SMTP replies often quote the recipient
    (`550 5.1.1 <x@y>: Recipient address rejected`), and logs carry ids, not addresses."""
    at = reason.lower().find(address.lower()) if address else -1
    while at >= 0:
        reason = reason[:at] + "<to_address>" + reason[at + len(address) :]
        at = reason.lower().find(address.lower())
    return reason
