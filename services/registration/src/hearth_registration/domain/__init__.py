"""Registration's rules, free of I/O: gathering status, who may hold which ticket at what price,
whether a purchase takes a seat or joins the line, waitlist offers, choosing a breakout, feedback,
reading a platform's attendance report."""

from .capacity import Breakout, PurchaseOutcome, breakout_preference, seat_or_line
from .eligibility import Attestation, check_eligible, normalise_email
from .errors import (
    AlreadyRegistered,
    AlreadyWaiting,
    BreakoutFull,
    GatheringNotOpen,
    InvalidGathering,
    InvalidRequest,
    NotAnAttendee,
    NotEligible,
    NotFound,
    OfferNotOpen,
    RegistrationRefused,
    TicketTypeNotOffered,
    TransitionRefused,
    UnknownBreakout,
)
from .feedback import FollowUp, check_attended, wishes
from .gatherings import TRANSITIONS, check_change, check_transition
from .pricing import TicketKind, TicketType, offered
from .tickets import TicketRequest, check_new_to_gathering, check_replay
from .waitlist import WaitlistStatus, check_can_accept, check_can_withdraw, holds_a_seat

__all__ = [
    "TRANSITIONS",
    "AlreadyRegistered",
    "AlreadyWaiting",
    "Attestation",
    "Breakout",
    "BreakoutFull",
    "FollowUp",
    "GatheringNotOpen",
    "InvalidGathering",
    "InvalidRequest",
    "NotAnAttendee",
    "NotEligible",
    "NotFound",
    "OfferNotOpen",
    "PurchaseOutcome",
    "RegistrationRefused",
    "TicketKind",
    "TicketRequest",
    "TicketType",
    "TicketTypeNotOffered",
    "TransitionRefused",
    "UnknownBreakout",
    "WaitlistStatus",
    "breakout_preference",
    "check_attended",
    "check_can_accept",
    "check_can_withdraw",
    "check_change",
    "check_eligible",
    "check_new_to_gathering",
    "check_replay",
    "check_transition",
    "holds_a_seat",
    "normalise_email",
    "offered",
    "seat_or_line",
    "wishes",
]
