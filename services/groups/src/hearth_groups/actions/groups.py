"""Groups: formed from a published proposal or by hand by staff, and their facilitator."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from hearth_shared.messaging import Work

from .. import events
from ..domain.errors import Forbidden
from ..domain.kinds import KINDS, Audience, JoinPolicy, Kind, check_visibilities
from ..domain.membership import Place
from ..domain.visibility import Actor
from ..store import groups, interests
from ..store.groups import GroupRow
from .access import require_lead, require_staff, seen


@dataclass(frozen=True)
class GroupSpec:
    """What staff decide about a new group; None takes the kind's default."""

    kind: Kind
    topic: str
    language: str
    time_zone: str
    name_en: str | None = None
    name_fr: str | None = None
    purpose: str = ""
    region: str | None = None
    rhythm: str | None = None
    join_policy: JoinPolicy | None = None
    existence_visibility: Audience | None = None
    roster_visibility: Audience | None = None
    facilitator_id: uuid.UUID | None = None


def _row(
    spec: GroupSpec, group_id: uuid.UUID, proposal_id: uuid.UUID | None, size: int, by: uuid.UUID | None
) -> GroupRow:
    rules = KINDS[spec.kind]
    existence = spec.existence_visibility or rules.existence
    roster = spec.roster_visibility or rules.roster
    check_visibilities(rules, existence, roster)
    about = f" — {spec.topic.replace('_', ' ')}" if spec.topic else ""
    return GroupRow(
        id=group_id,
        kind=spec.kind,
        topic=spec.topic,
        name_en=spec.name_en or f"{rules.name_en}{about} ({spec.language})",
        name_fr=spec.name_fr or f"{rules.name_fr}{about} ({spec.language})",
        purpose=spec.purpose,
        language=spec.language,
        region=spec.region,
        time_zone=spec.time_zone,
        rhythm=spec.rhythm,
        min_size=rules.min_size,
        max_size=rules.max_size,
        join_policy=spec.join_policy or rules.join_policy,
        existence_visibility=existence,
        roster_visibility=roster,
        facilitator_id=spec.facilitator_id,
        proposal_id=proposal_id,
        formed_size=size,
        created_at=datetime.now(UTC),
        created_by=by,
    )


async def form(
    work: Work,
    spec: GroupSpec,
    member_ids: Sequence[uuid.UUID],
    *,
    by: uuid.UUID | None,
) -> GroupRow:
    """Create the group with its first members, take them out of the pool for its kind and
    topic, and tell the others (GroupFormed; see `events.formed` for confidential rosters).
    `by`: the staff member forming it, recorded on the group and its memberships."""
    [group] = await form_many(work, [(spec, member_ids)], by=by)
    return group


async def form_many(
    work: Work,
    formed: Sequence[tuple[GroupSpec, Sequence[uuid.UUID]]],
    *,
    proposal_id: uuid.UUID | None = None,
    by: uuid.UUID | None,
) -> list[GroupRow]:
    """`form` for many groups at once: one statement per table, however many groups."""
    rows = [_row(spec, uuid.uuid4(), proposal_id, len(members), by) for spec, members in formed]
    await groups.insert_many(work.conn, rows)
    places = [(g.id, p) for g, (_, members) in zip(rows, formed, strict=True) for p in members]
    await groups.set_places(work.conn, places, Place.MEMBER, by)
    await interests.mark_placed_many(
        work.conn,
        [(g.kind, g.topic, p, g.id) for g, (_, members) in zip(rows, formed, strict=True) for p in members],
    )
    for group, (_, members) in zip(rows, formed, strict=True):
        for data in events.formed(group, sorted(members)):
            await work.publish(data)
    return [replace(g, member_count=len(members)) for g, (_, members) in zip(rows, formed, strict=True)]


async def form_by_hand(
    work: Work, spec: GroupSpec, member_ids: Sequence[uuid.UUID], actor: Actor
) -> GroupRow:
    require_staff(actor)
    return await form(work, spec, member_ids, by=actor.staff_id)


async def form_from_gathering(work: Work, spec: GroupSpec, gathering_id: uuid.UUID, actor: Actor) -> GroupRow:
    """Turn a gathering's breakout into a standing group: its members are those who expressed
    interest in this kind, topic and language in that gathering's feedback (who consented), and
    are not already in such a group."""
    require_staff(actor)
    found = await interests.from_gathering(work.conn, gathering_id, spec.kind, spec.topic, spec.language)
    people = [row.interest.person_id for row in found]
    placed = {
        p for p, _, topic in await groups.already_placed(work.conn, spec.kind, people) if topic == spec.topic
    }
    return await form(work, spec, [p for p in people if p not in placed], by=actor.staff_id)


async def change_facilitator(
    work: Work, group_id: uuid.UUID, person_id: uuid.UUID | None, actor: Actor
) -> None:
    """Staff appoint (peer supervision: only staff); elsewhere the facilitator may hand over."""
    view = await seen(work.conn, group_id, actor, lock=True)
    require_lead(view)
    if KINDS[view.group.kind].facilitator_by_staff and not actor.is_staff:
        raise Forbidden(f"a {view.group.kind} group's facilitator is appointed by staff", "person_id")
    await groups.set_facilitator(work.conn, group_id, person_id)
