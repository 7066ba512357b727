"""Credits: hours recorded, certificates issued (a link to its public verification page)."""

from __future__ import annotations

from typing import Any

from hearth_shared.contracts.catalogue import CertificateIssued, CreditsAwarded
from hearth_shared.messaging import HandlerContext, handles

from ..actions import credits


# One queue for both: the same reaction (remember the person, tell them), and the queue is durable.
@handles(CreditsAwarded, CertificateIssued)
async def on_credits(ctx: HandlerContext, data: Any) -> None:
    await credits.announce(ctx, data, at=ctx.event.time)
