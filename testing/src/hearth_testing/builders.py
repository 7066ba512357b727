"""Test data, built one way: people and gatherings as the HTTP API takes them, and the events
(gathering, ticket, member record) as other services publish them. Each builder gives a fresh,
valid value; a test names only what it is about (`gathering_scheduled(capacity=1)`)."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hearth_shared.contracts.catalogue import (
    Bilingual,
    GatheringScheduled,
    GatheringSnapshot,
    Language,
    MembershipStatus,
    MemberUpserted,
    Modality,
    PersonDetails,
    TicketPurchased,
)

TITLE = {"en": "Quarterly community of practice", "fr": "Communauté de pratique trimestrielle"}
STARTS = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)  # 12:00 in Halifax (AST), three days before DST
JOIN_URL = "https://video.example.org/j/quarterly"


def person(language: str = "en") -> dict[str, str]:
    """Someone buying a ticket over HTTP (a new email each time)."""
    tag = uuid.uuid4().hex[:10]
    return {
        "name": f"Sam Tremblay {tag}",
        "email": f"sam.{tag}@example.org",
        "preferred_language": language,
    }


def gathering_body(capacity: int = 50, **overrides: Any) -> dict[str, Any]:
    """A gathering as staff schedule it over HTTP: 90 minutes online, Halifax time."""
    body: dict[str, Any] = {
        "title": dict(TITLE),
        "kind": "community_of_practice",
        "modality": "virtual",
        "starts_at": STARTS.isoformat(),
        "ends_at": (STARTS + timedelta(minutes=90)).isoformat(),
        "time_zone": "America/Halifax",
        "capacity": capacity,
        "join_url": JOIN_URL,
    }
    return body | overrides


def person_details(language: Language = "en", name: str = "Sam Tremblay") -> PersonDetails:
    """A ticket holder as events carry them (a new person and email each time)."""
    tag = uuid.uuid4().hex[:8]
    first = unicodedata.normalize("NFKD", name.split()[0]).encode("ascii", "ignore").decode().lower()
    return PersonDetails(
        person_id=uuid.uuid4(), name=f"{name} {tag}", email=f"{first}.{tag}@example.org", language=language
    )


def gathering_scheduled(
    starts_at: datetime = STARTS, time_zone: str = "America/Halifax", **changes: Any
) -> GatheringScheduled:
    """A new gathering as registration announces it: 90 minutes online, no credit unless given."""
    values: dict[str, Any] = {
        "gathering_id": uuid.uuid4(),
        "title": Bilingual(**TITLE),
        "kind": "community_of_practice",
        "modality": "virtual",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=90),
        "time_zone": time_zone,
        "capacity": 50,
    }
    return GatheringScheduled(**(values | changes))


def ticket_purchased(g: GatheringScheduled, who: PersonDetails, **changes: Any) -> TicketPurchased:
    """`who` bought a member ticket to `g` (free); online gatherings carry the join link."""
    snapshot = GatheringSnapshot(
        gathering_id=g.gathering_id,
        title=g.title,
        modality=g.modality,
        starts_at=g.starts_at,
        ends_at=g.ends_at,
        time_zone=g.time_zone,
        venue=g.venue,
        join_url=JOIN_URL if g.modality == Modality.VIRTUAL else None,
    )
    values: dict[str, Any] = {
        "ticket_id": uuid.uuid4(),
        "ticket_type": "member",
        "price_cents": 0,
        "gathering": snapshot,
        "attendee": who,
    }
    return TicketPurchased(**(values | changes))


def member_upserted(**changes: Any) -> MemberUpserted:
    """A member record as the association's register publishes it: a new active member, changed now."""
    tag = uuid.uuid4().hex[:8]
    values: dict[str, Any] = {
        "member_id": f"M-{tag}",
        "registration_number": f"NS-{tag}",
        "name": f"Member {tag}",
        "email": f"member.{tag}@example.org",
        "preferred_language": "en",
        "status": MembershipStatus.ACTIVE,
        "changed_at": datetime.now(UTC),
    }
    return MemberUpserted(**(values | changes))
