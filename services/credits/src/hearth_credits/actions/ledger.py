"""Keeping the ledger in step with what is known: for each person and activity, the hours the
rules give now. When they differ from the award standing, the standing award is reversed and the
new one appended (never an edit), all under a lock on that person and activity's standing row —
so however often, and in whatever order, attendance and the gathering's policy arrive, exactly one
award stands.

`reconcile` works on many pairs at once, with one statement per table, so a batch of attendance
costs about as many round trips as a single record."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import PersonDetails
from hearth_shared.messaging import Work

from .. import domain, events, store
from ..domain.attendance import Pair
from ..domain.cycles import CycleRule
from . import certificates


async def reconcile(
    work: Work,
    pairs: Sequence[Pair],
    rule: CycleRule,
    causes: Mapping[Pair, CloudEvent[Any]] | None = None,
    attendees: Mapping[uuid.UUID, PersonDetails] | None = None,
) -> None:
    """Bring each pair's standing award in line with the rules and publish what changed — as a
    consequence of `causes[pair]` when given (a batch), else of the work's own cause. The caller
    holds the activities' locks (`store.activities.lock`). `attendees`: people's details as the
    batch's events carried them (validated), reused where the stored person is the same."""
    conn = work.conn
    activities = await store.activities.fetch(conn, {a for a, _ in pairs})
    attendance = await store.attendance.fetch(conn, [p for p in pairs if p[0] in activities])
    known = sorted(attendance)  # pairs whose activity and attendance have both arrived
    if not known:
        return  # the other half has not arrived yet; its arrival reconciles
    standings = await store.ledger.lock_standings(conn, known)
    people = domain.people.reachable(await store.people.fetch(conn, {p for _, p in known}))
    carried = attendees or {}
    details = {
        person_id: events.person_details(person, carried.get(person_id))
        for person_id, person in people.items()
    }
    decided = domain.ledger.reconcile(known, activities, attendance, standings, rule)
    await store.ledger.append(conn, decided.entries)
    await store.certificates.revoke(conn, decided.revoked)
    await store.ledger.set_standings(conn, decided.standings)
    published = events.of_corrections(decided.corrections, activities, details)
    published += await certificates.issue_due(work, decided.standing_awards, people, details)
    for pair, data in published:
        await (work.caused_by(causes[pair]) if causes is not None else work).publish(data)
