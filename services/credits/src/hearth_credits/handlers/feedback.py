"""A person's feedback form on a gathering."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import FeedbackSubmitted
from hearth_shared.messaging import HandlerContext, handles

from ..actions import feedback as feedback_given
from ..settings import CreditsSettings


@handles(FeedbackSubmitted, name="on_feedback")  # the queue's name since the first release
async def on_feedback_submitted(ctx: HandlerContext, feedback: FeedbackSubmitted) -> None:
    """Feedback may be what a certificate was waiting for."""
    settings: CreditsSettings = ctx.settings
    await feedback_given.record(ctx, feedback.gathering_id, feedback.person_id, settings.cycle_rule())
