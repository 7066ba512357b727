"""Formation proposals: asked for by staff, reviewed and edited, then published as groups."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

from hearth_shared.messaging import Work
from hearth_shared.messaging.outbox import write_events

from ..domain import proposals as rules
from ..domain.errors import GroupsRefused, NotFound
from ..domain.formation import Formation, Remainder, form
from ..domain.kinds import KINDS, Kind
from ..domain.visibility import Actor
from ..store import groups, interests, proposals
from ..store.groups import GroupRow
from ..store.proposals import ProposalRow
from . import groups as group_actions
from .access import require_staff


class ProposalClosed(GroupsRefused):
    code = "proposal_closed"


class PoolChanged(GroupsRefused):
    code = "pool_changed"


async def request(
    work: Work, kind: Kind, topic: str | None, remainder: Remainder, actor: Actor
) -> ProposalRow:
    """Form groups from the pool's open interest of a kind (and topic), as a draft."""
    require_staff(actor)
    pool = [row.interest for row in await interests.pool(work.conn, kind, topic)]
    people = sorted({i.person_id for i in pool})
    past = (
        await groups.past_pairs(work.conn, kind, people) if KINDS[kind].avoid_repeat_pairings else frozenset()
    )
    formation = form(
        pool,
        KINDS,
        remainder=remainder,
        already_placed=frozenset(await groups.already_placed(work.conn, kind, people)),
        past_pairs=past,
    )
    return await proposals.insert(work.conn, uuid.uuid4(), kind, topic, remainder, formation, actor.staff_id)


async def _draft(work: Work, proposal_id: uuid.UUID, actor: Actor) -> ProposalRow:
    require_staff(actor)
    proposal = await proposals.get(work.conn, proposal_id, lock=True)
    if proposal is None:
        raise NotFound("no such proposal", "proposal_id")
    if proposal.status != "draft":
        raise ProposalClosed(f"the proposal is {proposal.status}: ask for a new one")
    return proposal


async def edit(
    work: Work, proposal_id: uuid.UUID, change: Callable[[Formation], Formation], actor: Actor
) -> Formation:
    """Apply one edit (`domain.proposals.move`, `split` or `merge`) to a draft."""
    proposal = await _draft(work, proposal_id, actor)
    formation = change(proposal.formation)
    await proposals.edit(work.conn, proposal_id, formation, actor.staff_id)
    return formation


async def publish(work: Work, proposal_id: uuid.UUID, time_zone: str, actor: Actor) -> list[GroupRow]:
    """Create the proposal's groups. Refused if anyone in them has left the pool since, or was
    placed in a group of the same kind and topic meanwhile (nobody is placed twice)."""
    proposal = await _draft(work, proposal_id, actor)
    rules.check_sizes(proposal.formation, KINDS, proposal.remainder)
    waiting = {
        (row.interest.person_id, row.interest.topic)
        for row in await interests.pool(work.conn, proposal.kind, proposal.topic, lock=True)
    }
    gone = [
        m.person_id
        for g in proposal.formation.groups
        for m in g.members
        if (m.person_id, g.topic) not in waiting
    ]
    if gone:
        raise PoolChanged(
            f"{len(gone)} of the people proposed are no longer waiting (withdrawn, or placed since): "
            "move them to the pool or ask for a new proposal"
        )
    # Thousands of GroupFormed (one per member of a confidential roster) reach the outbox in one
    # statement at the end, unless a consumer's batch already gathers them.
    batch = work if work.pending is not None else replace(work, pending=[])
    specs = [
        (group_actions.GroupSpec(g.kind, g.topic, g.language, time_zone, region=g.region), g.person_ids)
        for g in proposal.formation.groups
    ]
    formed = await group_actions.form_many(batch, specs, proposal_id=proposal_id, by=actor.staff_id)
    if work.pending is None and batch.pending:
        await write_events(work.conn, batch.pending)
    await proposals.mark_published(work.conn, proposal_id, actor.staff_id)
    return formed
