"""Registration's reactions to events from other systems."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import AttendanceReported, MemberUpserted
from hearth_shared.messaging import HandlerContext, handles

from . import attendance, store


@handles(MemberUpserted)
async def on_member_upserted(ctx: HandlerContext, member: MemberUpserted) -> None:
    """Keep the person record in step with the association's membership register."""
    await store.people.upsert_member(ctx.conn, member)


@handles(AttendanceReported)
async def on_attendance_reported(ctx: HandlerContext, report: AttendanceReported) -> None:
    """A video platform's figure for one person becomes their attendance record."""
    await attendance.reported(ctx.conn, report, ctx)


HANDLERS = [on_member_upserted, on_attendance_reported]
