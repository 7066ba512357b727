"""Feedback from someone who attended, and the interests it expresses (for the groups service):
one submission per attendee and gathering, given by email (staff) or by person (the public site,
through the person's signed link), which they may edit while feedback is open."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hearth_shared.contracts.catalogue import FeedbackSubmitted, GatheringStatus, InterestExpressed
from hearth_shared.messaging import Work

from .. import domain, store
from ..store.feedback import Feedback
from ..store.people import Person


async def submit(
    work: Work,
    gathering_id: uuid.UUID,
    email: str,
    rating: int,
    comments: str | None,
    follow_up: list[domain.FollowUp],
    *,
    open_for: timedelta,
) -> Feedback:
    """A first submission, from the attendee with this email (a second one is refused)."""
    person = await store.people.person_by_email(work.conn, email)
    attendee = await _attendee(work, gathering_id, person, open_for)
    wishes = domain.wishes(follow_up, attendee.preferred_language)
    feedback = await store.feedback.save_feedback(
        work.conn, gathering_id, attendee.id, rating, comments, wishes, replace=False
    )
    if feedback is None:
        raise domain.RegistrationRefused("this person has already given feedback for this gathering", "email")
    await _announce(work, feedback, wishes)
    return feedback


async def give(
    work: Work,
    gathering_id: uuid.UUID,
    person_id: uuid.UUID,
    rating: int,
    comments: str | None,
    follow_up: list[domain.FollowUp],
    *,
    open_for: timedelta,
) -> tuple[Feedback, bool]:
    """The attendee's one submission, given or edited; True when it is new. An edit publishes
    FeedbackSubmitted again (same feedback id, its latest content) and only the wishes it adds."""
    person = await store.people.get_person_or_none(work.conn, person_id)
    attendee = await _attendee(work, gathering_id, person, open_for)
    before = await store.feedback.feedback_of(work.conn, gathering_id, attendee.id, lock=True)
    wishes = domain.wishes(follow_up, attendee.preferred_language)
    feedback = await store.feedback.save_feedback(
        work.conn, gathering_id, attendee.id, rating, comments, wishes, replace=True
    )
    assert feedback is not None  # replacing always answers the row
    await _announce(work, feedback, domain.new_wishes(wishes, before.follow_up if before else []))
    return feedback, before is None


async def _attendee(
    work: Work, gathering_id: uuid.UUID, person: Person | None, open_for: timedelta
) -> Person:
    """The person, if they attended this gathering while its feedback is open."""
    gathering = await store.gatherings.known_gathering(work.conn, gathering_id)
    status, now = GatheringStatus(gathering.status), datetime.now(UTC)
    domain.check_feedback_open(status, gathering.ends_at, now, open_for)
    present = await store.attendance.for_person(work.conn, gathering_id, person.id) if person else None
    domain.check_attended(present.minutes_attended if present else None)
    assert person is not None  # recorded as attending, so known
    return person


async def _announce(work: Work, feedback: Feedback, wishes: list[dict[str, Any]]) -> None:
    await work.publish(
        FeedbackSubmitted(
            feedback_id=feedback.id,
            gathering_id=feedback.gathering_id,
            person_id=feedback.person_id,
            benefit_rating=feedback.benefit_rating,
            comments=feedback.comments,
        )
    )
    for wish in wishes:
        await work.publish(
            InterestExpressed(person_id=feedback.person_id, gathering_id=feedback.gathering_id, **wish)
        )
