"""Notifications' HTTP API (OpenAPI at /docs): the delivery log and each person's preferences."""

from __future__ import annotations

from hearth_shared.service_access import behind_token

from . import deliveries, export, preferences

# Every route behind a service token: a route added to any of these routers needs one too.
ROUTERS = [behind_token([deliveries.router, preferences.router, export.router])]
