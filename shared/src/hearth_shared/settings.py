"""Settings every service shares, read from `HEARTH_*` environment variables.

Defaults work against a local RabbitMQ (guest/guest on 5672) and a local Postgres (5432), so the
same code runs on a laptop, in CI and in Kubernetes with nothing but environment changes.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# The practice areas a circle may be about unless HEARTH_PRACTICE_AREAS says otherwise: groups
# accepts circle wishes for these, and the gateway's feedback form offers them (both must agree).
DEFAULT_PRACTICE_AREAS = (
    "housing_and_poverty",
    "justice",
    "clinical",
    "child_and_family",
    "mental_health_and_addictions",
    "health",
    "older_adults",
    "community_development",
)


class ServiceSettings(BaseSettings):
    """What a Hearth service needs to reach its broker and its database."""

    model_config = SettingsConfigDict(env_prefix="HEARTH_", extra="ignore")

    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/hearth"
    # Connections of the pool that requests and consumers share (the relay and workers have a
    # small one of their own): what deploy/ budgets against PostgreSQL's connection limit.
    db_pool_size: int = Field(default=10, ge=1)
    # Prefixes every exchange and queue name: lets test runs share one broker without seeing each
    # other's messages. Empty in production.
    name_prefix: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_format: str = Field(default="auto", pattern="^(auto|json|console)$")
    log_level: str = "INFO"
    # The largest request body any route accepts (an attendance report may have 5 MB).
    max_request_bytes: int = 8 * 1024 * 1024
    # How long an idle keep-alive connection stays open. Longer than the clients' own idle limit
    # (httpx's is 5 s, uvicorn's default too): the client must close first, or a request sent on a
    # connection the server is closing at that instant fails with a read error.
    http_keep_alive_seconds: int = 75

    # Consuming: how many unacknowledged deliveries a handler may hold, how many of them share one
    # transaction, and how long a partial batch waits for company.
    prefetch: int = 256
    batch_size: int = 64
    batch_linger_ms: float = 2.0
    # Transient failures: one delay queue per entry (seconds); after the last, the message parks.
    retry_delays: list[float] = [1.0, 10.0, 60.0]
    # Redeliveries (crash, nack) the broker allows before dead-lettering a message to parking.
    delivery_limit: int = 10

    # Stopping (SIGTERM): the time the whole stop may take — consumers drained together within 60%
    # of it, then the outbox flushed and the workers stopped within what is left. Below the 30 s
    # that Kubernetes and compose wait before killing.
    shutdown_grace_seconds: float = 25.0

    # Outbox relay: how often it polls for rows its process's commits did not wake it for (another
    # replica's), and how many rows per claim.
    relay_poll_seconds: float = 1.0
    relay_batch_size: int = 200

    # Retention of the kit's own rows (messaging/retention.py, docs/operations.md): published
    # outbox rows, inbox rows past the redelivery window; applied every `retention_poll_seconds`.
    outbox_retention: timedelta = timedelta(days=7)
    inbox_retention: timedelta = timedelta(days=30)
    retention_poll_seconds: float = Field(default=600.0, gt=0)
