"""Notifications' reactions: every event a person should hear about becomes delivery rows (or a
plan to send later); events that name people keep the recipients read model current."""

from __future__ import annotations

from hearth_shared.messaging import Handler

from ..domain import Clock, system_clock
from ..settings import MailSettings
from . import credits, gatherings, groups, people


def handlers(settings: MailSettings, clock: Clock = system_clock) -> list[Handler]:
    return [
        *gatherings.handlers(settings, clock),
        credits.handlers(settings),
        groups.handlers(settings, clock),
        *people.HANDLERS,
    ]
