"""What notifications publishes, made from its delivery rows: NotificationDelivered when the SMTP
server accepted an email, NotificationFailed when it will not be sent; and the service's name and
event source."""

from __future__ import annotations

from datetime import datetime

from hearth_shared.contracts.catalogue import NotificationDelivered, NotificationFailed
from hearth_shared.messaging import source_of

from .domain.sending import storable_reason
from .store.deliveries import SendingRow

SERVICE = "notifications"
SOURCE = source_of(SERVICE)


def _facts(row: SendingRow) -> dict[str, object]:
    return {
        "delivery_id": row.id,
        "source_event_id": row.source_event_id,
        "template": row.template,
        "language": row.language,
        "person_id": row.person_id,
    }


def delivered(row: SendingRow, delivered_at: datetime) -> NotificationDelivered:
    return NotificationDelivered(**_facts(row), attempts=row.attempts + 1, delivered_at=delivered_at)


def failed(row: SendingRow, attempts: int, reason: str) -> NotificationFailed:
    return NotificationFailed(**_facts(row), attempts=attempts, reason=storable_reason(reason))
