"""Why registration refuses a request, as exceptions without HTTP codes (the API maps them)."""

from __future__ import annotations


class NotFound(Exception):
    """No gathering, ticket, series or waitlist entry has the id given."""


class RegistrationRefused(Exception):
    """A request the rules do not allow; `code` is stable for API clients, `field` names the
    part of the request at fault when there is one."""

    code = "refused"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class GatheringNotOpen(RegistrationRefused):
    code = "gathering_not_open"


class AlreadyRegistered(RegistrationRefused):
    code = "already_registered"


class AlreadyWaiting(RegistrationRefused):
    code = "already_waitlisted"


class OfferNotOpen(RegistrationRefused):
    code = "offer_not_open"


class LineClosed(OfferNotOpen):
    """The gathering of a waitlist entry is cancelled or has begun: its line is closed."""

    code = "waitlist_closed"


class GatheringIsCancelled(LineClosed):
    code = "gathering_cancelled"


class BreakoutFull(RegistrationRefused):
    code = "breakout_full"


class TransitionRefused(RegistrationRefused):
    code = "status_transition_refused"


class NotAnAttendee(RegistrationRefused):
    code = "not_an_attendee"


class FeedbackClosed(RegistrationRefused):
    code = "feedback_closed"


class PaymentNotApplicable(RegistrationRefused):
    """A payment that cannot confirm this ticket; `code` says why (and is the reason a
    PaymentReceived event is parked with)."""

    code = "payment_not_applicable"


class TicketNotHeld(PaymentNotApplicable):
    code = "ticket_not_held"


class AlreadyPaid(PaymentNotApplicable):
    code = "already_paid"


class AmountMismatch(PaymentNotApplicable):
    code = "amount_mismatch"


class InvalidRequest(RegistrationRefused):
    """The request itself is wrong (not merely in conflict with the current state)."""


class NotEligible(InvalidRequest):
    code = "not_eligible"


class MembershipNotConfirmed(NotEligible):
    """A member ticket for an email the register does not confirm as active. The message never
    says more (suspended, lapsed, unknown): anyone can type anyone's email."""

    code = "membership_not_confirmed"


class InvalidGathering(InvalidRequest):
    code = "invalid"


class TicketTypeNotOffered(InvalidRequest):
    code = "ticket_type_not_offered"


class UnknownBreakout(InvalidRequest):
    code = "unknown_breakout"
