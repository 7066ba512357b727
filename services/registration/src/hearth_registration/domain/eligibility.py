"""Who may hold which ticket type: members need an active membership, non-members a regulated
profession they attest to."""

from __future__ import annotations

from dataclasses import dataclass

from hearth_shared.contracts.catalogue import MembershipStatus

from .errors import MembershipNotConfirmed, NotEligible
from .pricing import TicketKind

# The one answer to a member ticket the register does not back, whatever the reason.
MEMBERSHIP_NOT_CONFIRMED = (
    "we could not confirm a membership for this email; choose a non-member ticket or contact us"
)


@dataclass(frozen=True)
class Attestation:
    """What a non-member states about their regulated profession when registering."""

    profession: str | None
    regulatory_body: str | None
    region: str | None
    attests_regulated_profession: bool


def check_eligible(kind: TicketKind, membership: str | None, attestation: Attestation) -> None:
    """A member ticket needs an active membership; a non-member ticket, a regulated profession."""
    if kind is TicketKind.MEMBER and membership != MembershipStatus.ACTIVE:
        raise MembershipNotConfirmed(MEMBERSHIP_NOT_CONFIRMED, "ticket_type")
    if kind is TicketKind.NON_MEMBER:
        for field in ("profession", "regulatory_body", "region"):
            if not getattr(attestation, field):
                raise NotEligible(f"a non-member ticket needs your {field.replace('_', ' ')}", field)
        if not attestation.attests_regulated_profession:
            raise NotEligible(
                "a non-member ticket needs you to attest that you practise a regulated profession",
                "attests_regulated_profession",
            )


def normalise_email(email: str) -> str:
    """Emails identify people case-insensitively; store them trimmed and lower-cased."""
    return email.strip().lower()
