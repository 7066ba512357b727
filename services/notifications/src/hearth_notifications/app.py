"""Notifications' wiring: settings, runtime with its handlers, the scheduler and the mail sender,
HTTP app."""

from __future__ import annotations

from fastapi import FastAPI

from hearth_shared.api import build_app
from hearth_shared.contracts.catalogue import NotificationDelivered, NotificationFailed
from hearth_shared.messaging import ServiceRuntime

from . import api
from .domain import Clock, system_clock
from .handlers import handlers
from .mailer import Mailer
from .scheduler import Scheduler
from .settings import MailSettings

SERVICE = "notifications"


def create_runtime(settings: MailSettings | None = None, clock: Clock = system_clock) -> ServiceRuntime:
    mail = settings or MailSettings()
    return ServiceRuntime(
        SERVICE,
        mail,
        handlers=handlers(mail, clock),
        publishes=[NotificationDelivered, NotificationFailed],
        migrations="hearth_notifications.migrations",
        workers=[
            lambda pool: Scheduler(pool, mail, clock, schema=SERVICE),
            lambda pool: Mailer(pool, mail, schema=SERVICE),
        ],
    )


def create_app(settings: MailSettings | None = None) -> FastAPI:
    runtime = create_runtime(settings)
    return build_app(runtime, title="Hearth notifications", routers=[api.router(runtime)])
