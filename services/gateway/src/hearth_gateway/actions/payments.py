"""Staff marking a ticket held awaiting payment as paid (e-transfer, invoice, at the door):
registration confirms it, the audit log says who did, and how the money came."""

from __future__ import annotations

from typing import Literal, get_args

import asyncpg

from ..domain.audit import AuditAction
from ..domain.staff import Staff
from ..store import audit
from ..store.services import Json, Services

# How staff may say they were paid; the payment system's own events say theirs.
PaidBy = Literal["e_transfer", "invoice", "at_door"]
METHODS: tuple[str, ...] = get_args(PaidBy)


async def mark_paid(
    pool: asyncpg.Pool,
    services: Services,
    who: Staff,
    ticket_id: str,
    method: PaidBy,
    reference: str,
    address: str,
) -> Json:
    """The ticket confirmed; a refusal (paid already, the hold lapsed) is registration's
    ServiceError. The audit entry names the method, not the reference (it may name the payer)."""
    body = {"method": method, "reference": reference.strip() or None}
    paid = await services.post(who, "registration", f"/tickets/{ticket_id}/payment", body)
    async with pool.acquire() as conn:
        await audit.append(conn, who.id, AuditAction.TICKET_MARKED_PAID, target=ticket_id, detail=method,
                           address=address)  # fmt: skip
    return paid
