"""The payment system's payments confirm tickets held awaiting payment."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import PaymentReceived
from hearth_shared.messaging import HandlerContext, handles

from ..actions import payments


@handles(PaymentReceived)
async def on_payment_received(ctx: HandlerContext, received: PaymentReceived) -> None:
    """Confirm the ticket the payment pays; park a payment that cannot apply, saying why."""
    await payments.record_received(ctx, received)
