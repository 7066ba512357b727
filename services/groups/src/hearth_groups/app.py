"""Groups' wiring: settings, runtime (broker, pool, handlers), HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from hearth_shared.api import build_app
from hearth_shared.messaging import ServiceRuntime
from hearth_shared.settings import ServiceSettings

from .handlers import HANDLERS

SERVICE = "groups"


class Settings(ServiceSettings):
    http_port: int = 8003


def create_runtime(settings: ServiceSettings | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        SERVICE, settings or Settings(), handlers=HANDLERS, migrations="hearth_groups.migrations"
    )


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return build_app(create_runtime(settings), title="Hearth groups")
