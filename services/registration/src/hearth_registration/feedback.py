"""Feedback after a gathering, from those who attended: how much it helped, and what they would
like to follow up on (which the groups service turns into peer groups)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from hearth_shared.contracts.catalogue import FeedbackSubmitted, Interest, InterestExpressed
from hearth_shared.db import Connection

from . import domain, store
from .seats import NotFound, emitter


@dataclass(frozen=True)
class FollowUp:
    interest: Interest
    practice_area: str | None
    language: str | None  # None: the person's preferred language


async def submit(
    conn: Connection,
    gathering_id: uuid.UUID,
    email: str,
    rating: int,
    comments: str | None,
    follow_up: list[FollowUp],
    correlation_id: str,
) -> asyncpg.Record:
    if await store.gatherings.get_gathering(conn, gathering_id) is None:
        raise NotFound(f"no gathering {gathering_id}")
    person = await store.people.person_by_email(conn, email)
    present = person and await store.attendance.for_person(conn, gathering_id, person["id"])
    if not person or not present or present["minutes_attended"] == 0:
        raise domain.NotAnAttendee("feedback comes from people recorded as attending this gathering", "email")
    wishes = [
        {
            "interest": f.interest.value,
            "practice_area": f.practice_area,
            "language": f.language or person["preferred_language"],
        }
        for f in follow_up
    ]
    row = await store.attendance.insert_feedback(conn, gathering_id, person["id"], rating, comments, wishes)
    if row is None:
        raise domain.RegistrationRefused("this person has already given feedback for this gathering", "email")
    work = emitter(conn, correlation_id)
    await work.publish(
        FeedbackSubmitted(
            feedback_id=row["id"],
            gathering_id=gathering_id,
            person_id=person["id"],
            benefit_rating=rating,
            comments=comments,
        )
    )
    for wish in wishes:
        await work.publish(InterestExpressed(person_id=person["id"], gathering_id=gathering_id, **wish))
    return row
