"""Groups: the invitation when a group forms, its members, its meetings' reminder plans."""

from __future__ import annotations

from typing import Any

from hearth_shared.contracts.catalogue import (
    GroupFormed,
    GroupMeetingCancelled,
    GroupMeetingScheduled,
    GroupMemberJoined,
    GroupMemberLeft,
)
from hearth_shared.messaging import HandlerContext, handles

from ..actions import groups
from ..domain.plans import system_clock
from ..settings import NotificationsSettings


# One queue for the five: a group's news must apply in order (a member leaves after joining, a
# meeting is cancelled after it is scheduled).
@handles(GroupFormed, GroupMemberJoined, GroupMemberLeft, GroupMeetingScheduled, GroupMeetingCancelled)
async def on_group(ctx: HandlerContext, data: Any) -> None:
    settings: NotificationsSettings = ctx.settings
    if isinstance(data, GroupFormed):
        await groups.form(ctx, data)
    elif isinstance(data, GroupMemberJoined):
        await groups.join(ctx, data.group_id, data.person_id)
    elif isinstance(data, GroupMemberLeft):
        await groups.leave(ctx, data.group_id, data.person_id)
    elif isinstance(data, GroupMeetingScheduled):
        await groups.schedule_meeting(ctx, data, reminders=settings.reminders, now=system_clock())
    else:
        await groups.cancel_meeting(ctx, data.meeting_id)
