"""Groups: the invitation when a group forms, its members, its meetings' reminder plans."""

from __future__ import annotations

from typing import Any

from hearth_shared.contracts.catalogue import (
    Bilingual,
    GroupFormed,
    GroupMeetingCancelled,
    GroupMeetingScheduled,
    GroupMemberJoined,
    GroupMemberLeft,
    Interest,
)
from hearth_shared.messaging import Handler, HandlerContext, handles

from .. import domain
from ..messages import compose
from ..settings import MailSettings
from ..store import occasions, people, plans
from .common import send

PURPOSES: dict[Interest, Bilingual] = {
    Interest.ADVOCACY_CAMPAIGN: Bilingual(en="advocacy campaign", fr="campagne de plaidoyer"),
    Interest.BEST_PRACTICE_RESOURCE: Bilingual(
        en="best-practice resource", fr="ressource de pratiques exemplaires"
    ),
    Interest.PEER_SUPPORT: Bilingual(en="peer support", fr="soutien entre pairs"),
    Interest.PEER_SUPERVISION: Bilingual(en="peer supervision", fr="supervision entre pairs"),
}


def handlers(settings: MailSettings, clock: domain.Clock) -> Handler:
    @handles(GroupFormed, GroupMemberJoined, GroupMemberLeft, GroupMeetingScheduled, GroupMeetingCancelled)
    async def on_group(ctx: HandlerContext, data: Any) -> None:
        if isinstance(data, GroupFormed):
            await occasions.join_group(ctx.conn, data.group_id, data.member_person_ids)
            found = await people.find(ctx.conn, data.member_person_ids)
            await send(
                ctx,
                [
                    compose("group_formed", to, group_name=data.name, purpose=PURPOSES[data.purpose])
                    for to in found.values()
                ],
            )
        elif isinstance(data, GroupMemberJoined):
            await occasions.join_group(ctx.conn, data.group_id, [data.person_id])
        elif isinstance(data, GroupMemberLeft):
            await occasions.leave_group(ctx.conn, data.group_id, data.person_id)
        elif isinstance(data, GroupMeetingScheduled):
            await occasions.save_meeting(
                ctx.conn, data.meeting_id, data.group_id, data.model_dump(mode="json")
            )
            await plans.replan(
                ctx.conn, data.meeting_id, domain.meeting_plans(data.starts_at, settings.reminders), clock()
            )
        else:
            await plans.drop(ctx.conn, data.meeting_id)

    return on_group
