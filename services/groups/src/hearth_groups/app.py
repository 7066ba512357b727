"""Groups' wiring: settings, runtime (broker, pool, handlers), HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from hearth_shared.api import build_app
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    GatheringCancelled,
    GatheringScheduled,
    GroupFormed,
    GroupMeetingCancelled,
    GroupMeetingScheduled,
    GroupMemberJoined,
    GroupMemberLeft,
)
from hearth_shared.messaging import ServiceRuntime

from . import api
from .api.practice_areas import state_practice_areas
from .events import SERVICE
from .handlers import HANDLERS
from .settings import GroupsSettings


def create_runtime(settings: GroupsSettings | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        SERVICE,
        settings or GroupsSettings(),
        handlers=HANDLERS,
        publishes=[
            GroupFormed,
            GroupMemberJoined,
            GroupMemberLeft,
            GroupMeetingScheduled,
            GroupMeetingCancelled,
            AttendanceRecorded,
            # A credit-earning meeting as a gathering, for credits (docs/groups.md).
            GatheringScheduled,
            GatheringCancelled,
        ],
        migrations="hearth_groups.store.migrations",
    )


def create_app(settings: GroupsSettings | None = None) -> FastAPI:
    settings = settings or GroupsSettings()
    app = build_app(create_runtime(settings), title="Hearth groups", routers=api.ROUTERS)
    api.install_refusals(app)
    state_practice_areas(app, settings.practice_areas)
    return app
