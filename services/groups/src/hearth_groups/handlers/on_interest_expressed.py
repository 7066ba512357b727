"""Interest expressed in feedback (or by another system) joins the pool. Feedback arrives in
backlogs after a gathering, so the handler takes the consumer's batch in one statement."""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import InterestExpressed
from hearth_shared.messaging import EventFailed, PermanentFailure, Work, handles_batch

from ..actions import interests
from ..domain.formation import Interest
from ..domain.kinds import KIND_OF_INTEREST, Kind
from ..settings import GroupsSettings
from ..store.interests import NewInterest

log = structlog.get_logger(__name__)


class CircleWithoutPracticeArea(PermanentFailure):
    """A practice-area circle wish with no area, or one the association has not configured: parked
    (a circle's topic is its area), to be replayed once the area is configured."""

    reason = "circle_without_practice_area"


def _entry(event: CloudEvent[InterestExpressed], practice_areas: tuple[str, ...]) -> NewInterest:
    data = event.data
    kind = KIND_OF_INTEREST[data.interest.value]
    topic = data.practice_area or ""
    if kind is Kind.PRACTICE_AREA_CIRCLE and topic not in practice_areas:
        raise CircleWithoutPracticeArea(
            "a practice-area circle wish needs one of the configured practice areas, "
            f"got {'none' if not topic else 'an unconfigured one'}"
        )
    if topic and topic not in practice_areas:
        # Still interest in the kind; the unknown area is not a topic here (ids only in logs).
        log.warning("interest in an unconfigured practice area", event_id=event.id, practice_area=topic)
        topic = ""
    interest = Interest(event.time, data.person_id, kind, topic, data.language, None)
    return NewInterest(uuid.uuid4(), interest, data.gathering_id)


def _entries(events: list[CloudEvent[Any]], practice_areas: tuple[str, ...]) -> list[NewInterest]:
    """Each event's pool entry; one that can never join the pool is taken out of the batch alone."""
    entries = []
    for index, event in enumerate(events):
        try:
            entries.append(_entry(event, practice_areas))
        except CircleWithoutPracticeArea as refused:
            raise EventFailed(index, refused) from refused
    return entries


@handles_batch(InterestExpressed)
async def on_interest_expressed(ctx: Work, events: list[CloudEvent[Any]]) -> None:
    settings: GroupsSettings = ctx.settings
    await interests.express(ctx, _entries(events, settings.practice_areas))
