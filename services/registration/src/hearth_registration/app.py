"""Registration's wiring: settings, runtime (broker, pool, handlers), HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from hearth_shared.api import build_app
from hearth_shared.contracts.catalogue import GatheringScheduled, TicketPurchased
from hearth_shared.messaging import ServiceRuntime
from hearth_shared.settings import ServiceSettings

from . import api
from .handlers import HANDLERS

SERVICE = "registration"


class Settings(ServiceSettings):
    http_port: int = 8001


def create_runtime(settings: ServiceSettings | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        SERVICE,
        settings or Settings(),
        handlers=HANDLERS,
        publishes=[GatheringScheduled, TicketPurchased],
        migrations="hearth_registration.migrations",
    )


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = create_runtime(settings)
    return build_app(runtime, title="Hearth registration", routers=[api.router(runtime)])
