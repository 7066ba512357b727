"""Registration's wiring: settings, runtime (broker, pool, handlers, offer and hold expiry), HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from hearth_shared.api import build_app
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    FeedbackSubmitted,
    GatheringCancelled,
    GatheringScheduled,
    GatheringUpdated,
    InterestExpressed,
    RegistrationCancelled,
    TicketConfirmed,
    TicketPurchased,
    WaitlistJoined,
    WaitlistOffered,
)
from hearth_shared.messaging import ServiceRuntime

from .api import ROUTERS, install_refusals
from .events import SERVICE
from .handlers import HANDLERS
from .settings import RegistrationSettings
from .store.retention import forget_import_rows
from .workers.holds import HoldExpiry

__all__ = ["create_app", "create_runtime"]


def create_runtime(settings: RegistrationSettings | None = None) -> ServiceRuntime:
    settings = settings or RegistrationSettings()
    return ServiceRuntime(
        SERVICE,
        settings,
        handlers=HANDLERS,
        publishes=[
            GatheringScheduled,
            GatheringUpdated,
            GatheringCancelled,
            TicketPurchased,
            TicketConfirmed,
            RegistrationCancelled,
            WaitlistJoined,
            WaitlistOffered,
            AttendanceRecorded,
            FeedbackSubmitted,
            InterestExpressed,
        ],
        migrations="hearth_registration.store.migrations",
        retention=[
            lambda conn, now, limit: forget_import_rows(conn, now - settings.import_report_retention, limit)
        ],
        workers=[
            lambda pool: HoldExpiry(
                pool,
                hold_seconds=settings.waitlist_hold_seconds,
                poll_seconds=settings.offer_expiry_poll_seconds,
            )
        ],
    )


def create_app(settings: RegistrationSettings | None = None) -> FastAPI:
    settings = settings or RegistrationSettings()
    app = build_app(create_runtime(settings), title="Hearth registration", routers=ROUTERS)
    install_refusals(app)
    return app
