"""Registration's events as it publishes them from issue 13 on: the ticket's state on purchase,
the reason of a cancellation, and TicketConfirmed (a held ticket paid). Notifications reads the
optional fields where present; until the contracts have them, tests make them so."""

from __future__ import annotations

import uuid
from datetime import datetime

from hearth_notifications.events import TICKET_CONFIRMED
from hearth_shared.contracts import EventData
from hearth_shared.contracts.catalogue import (
    GatheringSnapshot,
    PersonDetails,
    RegistrationCancelled,
    TicketPurchased,
)


class TicketPurchasedWithState(TicketPurchased):
    """TicketPurchased as registration publishes it from issue 13 on (the optional state)."""

    status: str | None = None
    hold_expires_at: datetime | None = None


class RegistrationCancelledWithReason(RegistrationCancelled):
    reason: str | None = None


class TicketConfirmed(EventData):
    event_type = TICKET_CONFIRMED

    ticket_id: uuid.UUID
    person_id: uuid.UUID
    gathering_id: uuid.UUID
    gathering: GatheringSnapshot | None = None  # now with the join link
    attendee: PersonDetails | None = None
