"""Interest expressed in feedback (or by another system) joins the pool. Feedback arrives in
backlogs after a gathering, so the handler takes the consumer's batch in one statement."""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import InterestExpressed
from hearth_shared.messaging import Work, handles_batch

from ..actions import interests
from ..domain.formation import Interest
from ..domain.kinds import KIND_OF_INTEREST
from ..settings import GroupsSettings
from ..store.interests import NewInterest

log = structlog.get_logger(__name__)


def _entry(event: CloudEvent[InterestExpressed], practice_areas: tuple[str, ...]) -> NewInterest:
    data = event.data
    topic = data.practice_area or ""
    if topic and topic not in practice_areas:
        # Still interest in the kind; the unknown area is not a topic here (ids only in logs).
        log.warning("interest in an unconfigured practice area", event_id=event.id, practice_area=topic)
        topic = ""
    interest = Interest(
        event.time, data.person_id, KIND_OF_INTEREST[data.interest.value], topic, data.language, None
    )
    return NewInterest(uuid.uuid4(), interest, data.gathering_id)


@handles_batch(InterestExpressed)
async def on_interest_expressed(ctx: Work, events: list[CloudEvent[Any]]) -> None:
    settings: GroupsSettings = ctx.settings
    await interests.express(ctx, [_entry(event, settings.practice_areas) for event in events])
