"""No personal data in the gateway's logs: staff search by name and email, so request lines are
logged without their query strings, and httpx's line per service call (its URL carries the same
searches) is not logged at all. The kit does it for every service (`hearth_shared.logs`); the
gateway's app asks again, for when it is served without `configure_logging` (tests, uvicorn)."""

from __future__ import annotations

from hearth_shared.logs import WithoutQueryStrings, keep_searches_out_of_logs

__all__ = ["WithoutQueryStrings", "keep_searches_out_of_logs"]
