"""structlog configuration: JSON lines in production, a readable console on a terminal.

Every line carries the service name; the messaging middleware binds the event type, event id and
correlation id of the message being handled (contextvars), so one request can be followed across
services by its correlation id. Lines carry ids, never personal data: staff search by name and
email, so HTTP access lines are written without their query strings, and httpx's line per call
(its URL carries the same searches) only when it is a warning.
"""

from __future__ import annotations

import logging
import sys
import uuid

import structlog

# Broker clients whose DEBUG lines carry whole frames (event bodies with personal data).
FRAME_LOGGERS = ("aiormq", "aio_pika", "pamqp")


def configure_logging(service: str, *, log_format: str = "auto", level: str = "INFO") -> None:
    """Route structlog and stdlib logging (uvicorn, aio-pika) through one renderer."""
    use_console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer()
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in FRAME_LOGGERS:  # their DEBUG lines print AMQP frames: message bodies, names and emails
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    keep_searches_out_of_logs()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def current_correlation_id() -> str:
    """The correlation id of the request or message being served (bound into the log context by
    the HTTP middleware and the consumer), or a new one: new work starts a new correlation."""
    value = structlog.contextvars.get_contextvars().get("correlation_id")
    return str(value) if value else str(uuid.uuid4())


class WithoutQueryStrings(logging.Filter):
    """uvicorn's access line is `client - "METHOD path?query HTTP/x" status`: drop the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            path = record.args[2]
            if isinstance(path, str):
                record.args = (*record.args[:2], path.split("?", 1)[0], *record.args[3:])
        return True


def keep_searches_out_of_logs() -> None:
    """Access lines without query strings; httpx's request lines (URLs with searches) not at all."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, WithoutQueryStrings) for f in access.filters):
        access.addFilter(WithoutQueryStrings())
    logging.getLogger("httpx").setLevel(logging.WARNING)
