"""No personal data in the gateway's logs: staff search by name and email, so request lines are
logged without their query strings, and httpx's line per service call (its URL carries the same
searches) is not logged at all."""

from __future__ import annotations

import logging


class WithoutQueryStrings(logging.Filter):
    """uvicorn's access line is `client - "METHOD path?query HTTP/x" status`: drop the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            path = record.args[2]
            if isinstance(path, str):
                record.args = (*record.args[:2], path.split("?", 1)[0], *record.args[3:])
        return True


def keep_searches_out_of_logs() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, WithoutQueryStrings) for f in access.filters):
        access.addFilter(WithoutQueryStrings())
    logging.getLogger("httpx").setLevel(logging.WARNING)
