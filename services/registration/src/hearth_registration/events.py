"""How registration's rows become contracts: gathering snapshots and whole gatherings, the
person named in an event, and the source every registration event carries."""

from __future__ import annotations

from typing import TypeVar

from hearth_shared.contracts.catalogue import (
    Bilingual,
    CreditPolicy,
    GatheringKind,
    GatheringScheduled,
    GatheringSnapshot,
    GatheringStatus,
    Modality,
    PersonDetails,
)
from hearth_shared.messaging import source_of

from .store.gatherings import Gathering
from .store.people import Person

SERVICE = "registration"
SOURCE = source_of(SERVICE)

GatheringEventT = TypeVar("GatheringEventT", bound=GatheringScheduled)


def snapshot(gathering: Gathering, *, join_link: bool = True) -> GatheringSnapshot:
    """The gathering as a ticket's events carry it (with the join link: they go to its holder;
    without it for a ticket still awaiting payment, whose seat is not theirs yet)."""
    return GatheringSnapshot(
        gathering_id=gathering.id,
        title=title(gathering),
        modality=Modality(gathering.modality),
        starts_at=gathering.starts_at,
        ends_at=gathering.ends_at,
        time_zone=gathering.time_zone,
        venue=gathering.venue,
        join_url=gathering.join_url if join_link else None,
    )


def person_details(person: Person) -> PersonDetails:
    """The person an event is about, as much as its consumers need to reach them."""
    return PersonDetails(
        person_id=person.id,
        name=person.name,
        email=person.email,
        language=person.preferred_language,
    )


def title(gathering: Gathering) -> Bilingual:
    return Bilingual(en=gathering.title_en, fr=gathering.title_fr)


def description(gathering: Gathering) -> Bilingual | None:
    if gathering.description_en and gathering.description_fr:
        return Bilingual(en=gathering.description_en, fr=gathering.description_fr)
    return None


def credit_policy(gathering: Gathering) -> CreditPolicy | None:
    raw = gathering.credit_policy
    return CreditPolicy.model_validate_json(raw) if raw else None


def whole_gathering(gathering: Gathering, kind: type[GatheringEventT]) -> GatheringEventT:
    """The whole gathering as its consumers see it (never the join link: that goes to ticket
    holders only, in their ticket's event)."""
    return kind(
        gathering_id=gathering.id,
        title=title(gathering),
        description=description(gathering),
        kind=GatheringKind(gathering.kind),
        modality=Modality(gathering.modality),
        starts_at=gathering.starts_at,
        ends_at=gathering.ends_at,
        time_zone=gathering.time_zone,
        capacity=gathering.capacity,
        status=GatheringStatus(gathering.status),
        venue=gathering.venue,
        address=gathering.address,
        series_id=gathering.series_id,
        credit_policy=credit_policy(gathering),
        revision=gathering.revision,
    )
