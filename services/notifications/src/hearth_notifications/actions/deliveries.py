"""The delivery log's write paths: from composed emails to delivery rows, honouring each person's
preferences (sent, suppressed with the reason, or held for their daily digest); a resend."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from hearth_shared import tracing
from hearth_shared.messaging import Work
from hearth_shared.signed_links import SignedLinks

from ..domain import preferences
from ..domain.errors import Erased, UnknownDelivery
from ..domain.rendering import Email
from ..settings import NotificationsSettings
from ..store import deliveries, people
from ..store.deliveries import DeliveryRow


@dataclass(frozen=True)
class Outgoing:
    """An email and what it answers: the source event (or plan) and the correlation it carries."""

    email: Email
    source_event_id: str
    correlation_id: str
    traceparent: str | None = None  # the source event's trace context (hearth_shared.tracing)
    resent_by: uuid.UUID | None = None  # a resend: the staff member who asked for it


def links_of(work: Work) -> SignedLinks:
    """The signer of the links in emails, from the service's settings that the work carries."""
    settings = work.settings if isinstance(work.settings, NotificationsSettings) else NotificationsSettings()
    return settings.links()


async def dispatch(work: Work, emails: list[Outgoing]) -> int:
    """Write one delivery row per email (once per source, person and template); return how many
    are new."""
    if not emails:
        return 0
    person_ids = [o.email.person_id for o in emails if o.email.person_id is not None]
    chosen = await people.preferences(work.conn, person_ids) if person_ids else {}
    rows = []
    for item in emails:
        person = item.email.person_id
        found = chosen.get(person, preferences.Preferences()) if person else preferences.Preferences()
        how, why = preferences.decide(item.email.template, found)
        rows.append(
            deliveries.NewDelivery(
                item.email,
                how,
                why,
                item.source_event_id,
                item.correlation_id,
                item.traceparent,
                item.resent_by,
            )
        )
    return await deliveries.add(work.conn, rows)


async def send(work: Work, emails: list[Email]) -> int:
    """Deliveries answering this work's cause (the event handled, or the plan fired), once however
    often it arrives."""
    source = work.causation_id or work.correlation_id
    # The cause's context (a batch's `caused_by`), else the handler's span, a child of the event's.
    traced = work.trace_parent or tracing.current_traceparent()
    return await dispatch(work, [Outgoing(email, source, work.correlation_id, traced) for email in emails])


def answering(work: Work, source: str) -> Work:
    """The same transaction, for deliveries that answer `source` (a fired plan, a digest): it is
    both their source and their correlation id."""
    return replace(work, correlation_id=source, causation_id=source)


async def resend(work: Work, delivery_id: uuid.UUID, *, by: uuid.UUID) -> DeliveryRow:
    """Send a delivery again, as a new entry in the log, to the person's current address; `by`:
    the staff member asking."""
    original = await deliveries.get(work.conn, delivery_id)
    if original is None:
        raise UnknownDelivery("no delivery has this id")
    if original.to_address == "erased":
        raise Erased("this person's details were erased at their request")
    current = None
    if original.person_id is not None:
        current = (await people.find(work.conn, [original.person_id])).get(original.person_id)
    address = current.email if current else original.to_address
    return await deliveries.resend(work.conn, original.id, address, work.correlation_id, by)
