"""Issuing certificates of attendance for standing awards (revoking them is part of a correction:
see `ledger.reconcile`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from hearth_shared.contracts.catalogue import PersonDetails  # renamed by the kit
from hearth_shared.messaging import Work

from .. import domain, events, store
from ..domain.ledger import StandingAward
from ..domain.people import Person
from ..events import Published


async def issue_due(
    work: Work,
    awards: Sequence[StandingAward],
    people: Mapping[uuid.UUID, Person],
    details: Mapping[uuid.UUID, PersonDetails],
) -> Published:
    """Certificates for standing awards that have none valid, once the policy's conditions (the
    feedback form) are met and we know whom each is for (`people`, reachable; `details`, the
    same as the events carry them). Return what to publish: the caller knows each pair's cause."""
    if not awards:
        return []
    conn = work.conn
    certified = await store.certificates.certified(conn, [a.pair for a in awards])
    waiting = domain.certificates.uncertified(awards, certified)
    if not waiting:
        return []
    needs_feedback = domain.certificates.needing_feedback(waiting)
    feedback = await store.feedback.given(conn, needs_feedback) if needs_feedback else set()
    due = domain.certificates.due(waiting, feedback, people)
    await store.certificates.insert(conn, [certificate for _, certificate in due])
    return [
        (award.pair, events.certificate_issued(certificate, award.activity, details[award.pair[1]]))
        for award, certificate in due
    ]
