"""Credits' wiring: settings, runtime (broker, pool, handlers), HTTP app."""

from __future__ import annotations

from dataclasses import replace

from fastapi import FastAPI

from hearth_shared.api import build_app
from hearth_shared.contracts.catalogue import CertificateIssued, CreditsAwarded, CreditsRevoked
from hearth_shared.messaging import Handler, ServiceRuntime

from .api import ROUTERS
from .events import SERVICE
from .handlers import HANDLERS, on_attendance_recorded
from .settings import CreditsSettings

__all__ = ["SERVICE", "create_app", "create_runtime"]


def handlers_for(settings: CreditsSettings) -> list[Handler]:
    """The handlers, attendance with as many batches in flight as the settings allow."""
    attendance = replace(on_attendance_recorded, concurrency=settings.attendance_concurrency)
    return [attendance if h is on_attendance_recorded else h for h in HANDLERS]


def create_runtime(settings: CreditsSettings | None = None) -> ServiceRuntime:
    settings = settings or CreditsSettings()
    return ServiceRuntime(
        SERVICE,
        settings,
        handlers=handlers_for(settings),
        publishes=[CreditsAwarded, CreditsRevoked, CertificateIssued],
        migrations="hearth_credits.store.migrations",
    )


def create_app(settings: CreditsSettings | None = None) -> FastAPI:
    settings = settings or CreditsSettings()
    runtime = create_runtime(settings)
    return build_app(runtime, title="Hearth credits", routers=ROUTERS)
