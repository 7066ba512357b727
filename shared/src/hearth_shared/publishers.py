"""Who may say what: the routing keys on `hearth.events` that each Hearth service and each outside
system may publish. Both doors read this one table — the broker's topic permissions
(`provision_broker`) and the gateway's HTTP door, which offers an admin only outside systems'
types to allow — so a forged `credits.certificate_issued.v1` is refused by either.

A rule is a routing-key prefix (`registration.` owns every registration event, those added later
included) or one exact key (groups publishes registration's attendance for its meetings).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .contracts import CATALOGUE, routing_key_for

# Hearth's own services: their own prefix, and the few events of another's they also publish.
SERVICE_KEYS: dict[str, tuple[str, ...]] = {
    "registration": ("registration.",),
    "credits": ("credits.",),
    "groups": (
        "groups.",
        # A group meeting's attendance, and a credit-earning meeting as a gathering (docs/groups.md).
        "registration.attendance_recorded.v1",
        "registration.gathering_scheduled.v1",
        "registration.gathering_cancelled.v1",
    ),
    "notifications": ("notifications.",),
}

# Systems outside Hearth, by the name of their broker user (`hearth-<name>`) and door system.
OUTSIDE_KEYS: dict[str, tuple[str, ...]] = {
    "membership-register": ("membership.", "privacy."),
    "video-platform": ("conferencing.",),
    "payments": ("payments.",),
}

# The gateway publishes what outside systems send through its HTTP door, and nothing of Hearth's.
DOOR_KEYS: tuple[str, ...] = tuple(sorted({rule for rules in OUTSIDE_KEYS.values() for rule in rules}))
SERVICE_KEYS["gateway"] = DOOR_KEYS


def covers(rules: Iterable[str], routing_key: str) -> bool:
    return any(routing_key.startswith(rule) if rule.endswith(".") else routing_key == rule for rule in rules)


def key_pattern(rules: Iterable[str]) -> str:
    """A regex matching exactly the routing keys `rules` cover (RabbitMQ topic permissions)."""
    parts = [re.escape(rule) + (".+" if rule.endswith(".") else "") for rule in sorted(rules)]
    return "^(" + "|".join(parts) + ")$"


def outside_event_types() -> list[str]:
    """The catalogue's types that systems outside Hearth may be allowed to send through the door."""
    return sorted(t for t in CATALOGUE if covers(DOOR_KEYS, routing_key_for(t)))
