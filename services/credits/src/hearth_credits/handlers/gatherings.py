"""A gathering's snapshots and its cancellation."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import GatheringCancelled, GatheringScheduled, GatheringUpdated
from hearth_shared.messaging import HandlerContext, handles

from ..actions import activities
from ..settings import CreditsSettings


# One queue for the three types, so a gathering's cancellation is applied in order with its snapshots.
@handles(GatheringScheduled, GatheringUpdated, GatheringCancelled)
async def on_gathering(
    ctx: HandlerContext, gathering: GatheringScheduled | GatheringUpdated | GatheringCancelled
) -> None:
    """A gathering's credit policy (or its cancellation) applies to everyone who attended."""
    settings: CreditsSettings = ctx.settings
    if isinstance(gathering, GatheringCancelled):
        await activities.cancel(ctx, gathering.gathering_id, settings.cycle_rule(), gathering.revision)
    else:
        await activities.schedule(ctx, gathering, settings.cycle_rule())
