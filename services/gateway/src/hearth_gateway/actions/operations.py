"""What staff ask of the services: each is the service call and its audit entry. Refusals from a
service come back as ServiceError for the page to show."""

from __future__ import annotations

from typing import Any

import asyncpg
from aio_pika.abc import AbstractRobustConnection

from ..domain.audit import AuditAction
from ..domain.staff import Staff
from ..store import audit, parked
from ..store.services import Json, Services


async def _audited(
    pool: asyncpg.Pool, who: Staff, action: AuditAction, target: str, address: str, detail: str | None = None
) -> None:
    async with pool.acquire() as conn:
        await audit.append(conn, who.id, action, target=target, detail=detail, address=address)


async def create_gathering(
    pool: asyncpg.Pool, services: Services, who: Staff, body: Json, address: str
) -> Json:
    made = await services.post(who, "registration", "/gatherings", body)
    await _audited(pool, who, AuditAction.GATHERING_CREATED, str(made["id"]), address)
    return made


async def create_series(pool: asyncpg.Pool, services: Services, who: Staff, body: Json, address: str) -> Json:
    made = await services.post(who, "registration", "/series", body)
    await _audited(pool, who, AuditAction.SERIES_CREATED, str(made["id"]), address, detail=body["cadence"])
    return made


async def add_breakout(
    pool: asyncpg.Pool, services: Services, who: Staff, gathering_id: str, body: Json, address: str
) -> Json:
    made = await services.post(who, "registration", f"/gatherings/{gathering_id}/breakouts", body)
    await _audited(pool, who, AuditAction.BREAKOUT_ADDED, gathering_id, address, detail=str(made["id"]))
    return made


async def change_gathering(
    pool: asyncpg.Pool, services: Services, who: Staff, gathering_id: str, body: Json, address: str
) -> Json:
    changed = await services.patch(who, "registration", f"/gatherings/{gathering_id}", body)
    await _audited(pool, who, AuditAction.GATHERING_CHANGED, gathering_id, address)
    return changed


async def change_status(
    pool: asyncpg.Pool,
    services: Services,
    who: Staff,
    gathering_id: str,
    status: str,
    reason: str,
    address: str,
) -> Json:
    body = {"status": status, "reason": reason or None}
    changed = await services.post(who, "registration", f"/gatherings/{gathering_id}/status", body)
    await _audited(pool, who, AuditAction.GATHERING_STATUS_CHANGED, gathering_id, address, detail=status)
    return changed


async def move_to_breakout(
    pool: asyncpg.Pool,
    services: Services,
    who: Staff,
    gathering_id: str,
    ticket_ids: list[str],
    breakout_id: str | None,
    address: str,
) -> int:
    """Each ticket the filters kept, moved (registration checks each breakout's capacity)."""
    for ticket_id in ticket_ids:
        await services.post(
            who, "registration", f"/tickets/{ticket_id}/breakout", {"breakout_id": breakout_id}
        )
    await _audited(
        pool,
        who,
        AuditAction.REGISTRANTS_MOVED,
        gathering_id,
        address,
        detail=f"{len(ticket_ids)} to {breakout_id or 'no breakout'}",
    )
    return len(ticket_ids)


async def check_in(
    pool: asyncpg.Pool, services: Services, who: Staff, gathering_id: str, person_id: str, address: str
) -> Json:
    outcome = await services.post(
        who, "registration", f"/gatherings/{gathering_id}/check-ins", {"person_ids": [person_id]}
    )
    await _audited(pool, who, AuditAction.CHECKED_IN, gathering_id, address, detail=person_id)
    return outcome


async def undo_check_in(
    pool: asyncpg.Pool, services: Services, who: Staff, gathering_id: str, person_id: str, address: str
) -> Json:
    undone = await services.post(
        who, "registration", f"/gatherings/{gathering_id}/check-ins/{person_id}/undo", {}
    )
    await _audited(pool, who, AuditAction.CHECK_IN_UNDONE, gathering_id, address, detail=person_id)
    return undone


async def import_attendance(
    pool: asyncpg.Pool,
    services: Services,
    who: Staff,
    gathering_id: str,
    report: bytes,
    filename: str,
    address: str,
) -> Json:
    response = await services.call(
        who,
        "registration",
        "POST",
        f"/gatherings/{gathering_id}/attendance-imports",
        params={"filename": filename[:200]},
        content=report,
        headers={"Content-Type": "text/csv"},
    )
    outcome: dict[str, Any] = response.json()
    detail = f"{outcome['people_recorded']} recorded, {len(outcome['errors'])} lines refused"
    await _audited(pool, who, AuditAction.ATTENDANCE_IMPORTED, gathering_id, address, detail=detail)
    return outcome


async def decide_self_report(
    pool: asyncpg.Pool,
    services: Services,
    who: Staff,
    report_id: str,
    approved: bool,
    reason: str | None,
    address: str,
) -> Json:
    decided = await services.post(
        who,
        "credits",
        f"/self-reports/{report_id}/decision",
        {"approved": approved, "reason": reason or None},
    )
    await _audited(
        pool,
        who,
        AuditAction.SELF_REPORT_DECIDED,
        report_id,
        address,
        detail="approved" if approved else "rejected",
    )
    return decided


async def resend_email(
    pool: asyncpg.Pool, services: Services, who: Staff, delivery_id: str, address: str
) -> Json:
    sent = await services.post(who, "notifications", f"/deliveries/{delivery_id}/resend", {})
    await _audited(pool, who, AuditAction.EMAIL_RESENT, delivery_id, address, detail=str(sent["id"]))
    return sent


async def resend_confirmations(
    pool: asyncpg.Pool, services: Services, who: Staff, gathering_id: str, ticket_ids: list[str], address: str
) -> int:
    """The confirmation of each ticket the filters kept, sent again by notifications (to the
    holders' current addresses); how many it wrote."""
    sent = await services.post(who, "notifications", "/deliveries/resend", {"ticket_ids": ticket_ids})
    resent = int(sent["resent"])
    detail = f"{resent} of {len(ticket_ids)} resent"
    await _audited(pool, who, AuditAction.CONFIRMATIONS_RESENT, gathering_id, address, detail=detail)
    return resent


async def replay_parked(
    pool: asyncpg.Pool,
    connection: AbstractRobustConnection,
    prefix: str,
    who: Staff,
    service: str,
    message_id: str | None,
    address: str,
) -> int:
    replayed = await parked.replay_one(connection, prefix, service, message_id)
    await _audited(
        pool,
        who,
        AuditAction.PARKED_REPLAYED,
        f"{service}:{message_id or 'all'}",
        address,
        detail=f"{len(replayed)} replayed",
    )
    return len(replayed)


async def discard_parked(
    pool: asyncpg.Pool,
    connection: AbstractRobustConnection,
    prefix: str,
    who: Staff,
    service: str,
    message_id: str,
    reason: str,
    address: str,
) -> bool:
    """Gone from the broker; the audit log keeps its id and why (never its body)."""
    found = await parked.discard(connection, prefix, service, message_id)
    if found:
        await _audited(
            pool, who, AuditAction.PARKED_DISCARDED, f"{service}:{message_id}", address, detail=reason
        )
    return found


async def propose_groups(pool: asyncpg.Pool, services: Services, who: Staff, kind: str, address: str) -> Json:
    """Ask groups for a proposal from the interest pool of `kind` (nothing is formed yet)."""
    proposal = await services.post(who, "groups", "/proposals", {"kind": kind})
    await _audited(pool, who, AuditAction.GROUPS_PROPOSED, str(proposal["id"]), address, detail=kind)
    return proposal


async def publish_groups(
    pool: asyncpg.Pool, services: Services, who: Staff, proposal_id: str, address: str
) -> Json:
    formed = await services.post(who, "groups", f"/proposals/{proposal_id}/publish", {})
    await _audited(
        pool, who, AuditAction.GROUPS_PUBLISHED, proposal_id, address, detail=f"{len(formed)} groups"
    )
    return formed


async def move_in_proposal(
    pool: asyncpg.Pool,
    services: Services,
    who: Staff,
    proposal_id: str,
    person_id: str,
    to: int | None,
    address: str,
) -> Json:
    """A person moved to another proposed group, or out of the groups (back to the pool), before
    publishing; groups checks the move keeps each group's kind, topic and language."""
    edited = await services.post(
        who, "groups", f"/proposals/{proposal_id}/moves", {"person_id": person_id, "to_group": to}
    )
    where = "the pool" if to is None else f"group {to + 1}"
    await _audited(
        pool, who, AuditAction.GROUPS_EDITED, proposal_id, address, detail=f"{person_id} to {where}"
    )
    return edited


async def form_group_from_gathering(
    pool: asyncpg.Pool, services: Services, who: Staff, gathering_id: str, body: Json, address: str
) -> Json:
    """A standing group formed from a gathering: groups takes as members those who asked for this
    kind, topic and language in the gathering's feedback (they consented), not yet in such a group."""
    formed = await services.post(who, "groups", "/groups", body | {"from_gathering_id": gathering_id})
    detail = f"{formed['id']}: {body['kind']}, {formed['member_count']} members"
    await _audited(pool, who, AuditAction.GROUP_FORMED, gathering_id, address, detail=detail)
    return formed
