"""Where the real broker and database come from, and a throwaway database per test session."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from hearth_shared import provision

SERVICES_UNDER_TEST = (*provision.SERVICES, "kittest")


@dataclass(frozen=True)
class Infra:
    amqp_url: str
    admin_dsn: str


def _docker_engine_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def start_infra(amqp_url: str | None, admin_dsn: str | None) -> Iterator[Infra]:
    """Explicit URLs win; else containers if a Docker engine answers; else localhost."""
    if amqp_url or admin_dsn or not _docker_engine_answers():
        yield Infra(
            amqp_url=amqp_url or "amqp://guest:guest@127.0.0.1:5672/",
            admin_dsn=admin_dsn or "postgresql://postgres@127.0.0.1:5432/postgres",
        )
        return
    from testcontainers.postgres import PostgresContainer
    from testcontainers.rabbitmq import RabbitMqContainer

    with (
        RabbitMqContainer("rabbitmq:4.1-management") as rabbit,
        PostgresContainer("postgres:17", driver=None) as postgres,
    ):
        params = rabbit.get_connection_params()
        yield Infra(
            amqp_url=f"amqp://guest:guest@{params.host}:{params.port}/",
            admin_dsn=postgres.get_connection_url(),
        )


@dataclass
class TestDatabase:
    """A database of its own with a login role per service (and per session), dropped at the end."""

    admin_dsn: str
    name: str
    role_prefix: str
    passwords: dict[str, str] = field(
        default_factory=lambda: {s: secrets.token_urlsafe(16) for s in SERVICES_UNDER_TEST}
    )

    __test__ = False  # not a test class, whatever its name

    async def create(self) -> None:
        await provision.provision(
            self.admin_dsn,
            self.name,
            services=SERVICES_UNDER_TEST,
            role_prefix=self.role_prefix,
            passwords=self.passwords,
        )

    async def drop(self) -> None:
        await provision.drop(
            self.admin_dsn, self.name, role_prefix=self.role_prefix, services=SERVICES_UNDER_TEST
        )

    def dsn(self, service: str) -> str:
        """The DSN a service uses: its own role, this session's database."""
        parts = urlsplit(self.admin_dsn)
        host = parts.hostname or "127.0.0.1"
        port = parts.port or 5432
        role = provision.role_name(service, self.role_prefix)
        netloc = f"{role}:{self.passwords[service]}@{host}:{port}"
        return urlunsplit((parts.scheme, netloc, f"/{self.name}", "", ""))

    async def connect(self, service: str) -> asyncpg.Connection:
        return await asyncpg.connect(self.dsn(service), server_settings={"search_path": service})
