"""Notifications' wiring: settings, runtime with its handlers and the mail sender, HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from hearth_shared.api import build_app
from hearth_shared.messaging import ServiceRuntime

from . import api
from .handlers import HANDLERS
from .mailer import Mailer
from .settings import MailSettings

SERVICE = "notifications"


def create_runtime(settings: MailSettings | None = None) -> ServiceRuntime:
    mail = settings or MailSettings()
    return ServiceRuntime(
        SERVICE,
        mail,
        handlers=HANDLERS,
        migrations="hearth_notifications.migrations",
        workers=[lambda pool: Mailer(pool, mail, schema=SERVICE)],
    )


def create_app(settings: MailSettings | None = None) -> FastAPI:
    runtime = create_runtime(settings)
    return build_app(runtime, title="Hearth notifications", routers=[api.router(runtime)])
