"""Credits' wiring: settings, runtime (broker, pool, handlers), HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from hearth_shared.api import build_app
from hearth_shared.contracts.catalogue import CertificateIssued, CreditsAwarded, CreditsRevoked
from hearth_shared.messaging import ServiceRuntime

from . import api
from .handlers import handlers
from .settings import CreditsSettings

SERVICE = "credits"


def create_runtime(settings: CreditsSettings | None = None) -> ServiceRuntime:
    settings = settings or CreditsSettings()
    return ServiceRuntime(
        SERVICE,
        settings,
        handlers=handlers(settings),
        publishes=[CreditsAwarded, CreditsRevoked, CertificateIssued],
        migrations="hearth_credits.migrations",
    )


def create_app(settings: CreditsSettings | None = None) -> FastAPI:
    settings = settings or CreditsSettings()
    runtime = create_runtime(settings)
    return build_app(runtime, title="Hearth credits", routers=[api.router(runtime, settings)])
