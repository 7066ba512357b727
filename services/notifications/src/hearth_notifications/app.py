"""Notifications' wiring: settings, runtime with its handlers, the scheduler and the mail sender,
HTTP app."""

from __future__ import annotations

import structlog
from fastapi import FastAPI

from hearth_shared.api import build_app
from hearth_shared.contracts.catalogue import NotificationDelivered, NotificationFailed
from hearth_shared.messaging import ServiceRuntime

from .api import ROUTERS
from .domain.plans import Clock, system_clock
from .events import SERVICE
from .handlers import HANDLERS
from .settings import NotificationsSettings, has_link_key
from .workers.mailer import Mailer
from .workers.scheduler import Scheduler

__all__ = ["SERVICE", "create_app", "create_runtime"]

log = structlog.get_logger(__name__)


def create_runtime(
    settings: NotificationsSettings | None = None, clock: Clock = system_clock
) -> ServiceRuntime:
    """The runtime; `clock` is the scheduler's (the handlers plan on the system clock)."""
    chosen = settings or NotificationsSettings()
    if not has_link_key():
        log.warning(
            "HEARTH_LINK_KEY is not set: links in emails are signed with a key of this process "
            "alone and the public site cannot open them"
        )
    runtime = ServiceRuntime(
        SERVICE,
        chosen,
        handlers=HANDLERS,
        publishes=[NotificationDelivered, NotificationFailed],
        migrations="hearth_notifications.store.migrations",
        workers=[
            lambda pool: Scheduler(pool, chosen, clock),
            # Called once the runtime exists: the mailer's metrics join the service's registry.
            lambda pool: Mailer(pool, chosen, registry=runtime.metrics),
        ],
    )
    return runtime


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    runtime = create_runtime(settings)
    return build_app(runtime, title="Hearth notifications", routers=ROUTERS)
