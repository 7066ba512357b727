"""Feedback from someone who attended, and the interests it expresses (for the groups service)."""

from __future__ import annotations

import uuid

from hearth_shared.contracts.catalogue import FeedbackSubmitted, InterestExpressed
from hearth_shared.messaging import Work

from .. import domain, store
from ..store.feedback import Feedback


async def submit(
    work: Work,
    gathering_id: uuid.UUID,
    email: str,
    rating: int,
    comments: str | None,
    follow_up: list[domain.FollowUp],
) -> Feedback:
    await store.gatherings.known_gathering(work.conn, gathering_id)
    person = await store.people.person_by_email(work.conn, email)
    present = await store.attendance.for_person(work.conn, gathering_id, person.id) if person else None
    domain.check_attended(present.minutes_attended if present else None)
    assert person is not None  # recorded as attending, so known
    wishes = domain.wishes(follow_up, person.preferred_language)
    feedback = await store.feedback.insert_feedback(
        work.conn, gathering_id, person.id, rating, comments, wishes
    )
    if feedback is None:
        raise domain.RegistrationRefused("this person has already given feedback for this gathering", "email")
    await work.publish(
        FeedbackSubmitted(
            feedback_id=feedback.id,
            gathering_id=gathering_id,
            person_id=person.id,
            benefit_rating=rating,
            comments=comments,
        )
    )
    for wish in wishes:
        await work.publish(InterestExpressed(person_id=person.id, gathering_id=gathering_id, **wish))
    return feedback
