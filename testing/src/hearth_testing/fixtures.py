"""pytest fixtures built on `infra`, `database` and `session_id` (defined in the root conftest)."""

from __future__ import annotations

import asyncio
import importlib
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import pytest

from hearth_shared import provision
from hearth_shared.messaging import Names
from hearth_shared.messaging.topology import declared_names, delete_names

from .infra import Infra, TestDatabase
from .processes import ServiceProcess, TcpProxy, free_port
from .smtp import SmtpSink

# Short delays so that retry tests take a second, not minutes.
TEST_RETRY_DELAYS = [0.2, 0.4, 0.8]


def prefix_of(session_id: str) -> str:
    return f"t{session_id}."


@pytest.fixture(scope="session")
def name_prefix(session_id: str, remove_session_topology: None) -> str:
    """The session's broker-name prefix; whatever uses it declares names, so they are removed at the end."""
    return prefix_of(session_id)


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
async def amqp(infra: Infra) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    """A connection for the test itself: publishing as an outside system would, reading queues."""
    connection = await aio_pika.connect_robust(infra.amqp_url)
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
async def remove_session_topology(infra: Infra, session_id: str) -> AsyncIterator[None]:
    """At the end of a session that used the broker, remove each queue and exchange it may have
    declared: quorum queues left behind by hundreds of runs wear the shared broker down. Not
    autouse: a session of unit tests never connects (it is requested by `name_prefix`)."""
    yield
    try:
        await remove_topology(infra.amqp_url, prefix_of(session_id))
    except (OSError, aio_pika.exceptions.AMQPError, TimeoutError):  # no broker: nothing declared
        return


@pytest.fixture
async def own_prefix(infra: Infra, name_prefix: str) -> AsyncIterator[str]:
    """A broker-name prefix of the test's own, for services whose queues must hold only this
    test's messages (not the session's); its queues and exchanges are removed afterwards."""
    prefix = f"{name_prefix}{secrets.token_hex(2)}."
    yield prefix
    await remove_topology(infra.amqp_url, prefix)


async def remove_topology(
    amqp_url: str, name_prefix: str, retry_delays: list[float] = TEST_RETRY_DELAYS
) -> None:
    """Every queue and exchange a service may have declared under `name_prefix`."""
    connection = await aio_pika.connect(amqp_url, timeout=15)
    async with connection:
        for service, handler_names in handlers_under_test().items():
            queues, exchanges = declared_names(Names(name_prefix, service), handler_names, retry_delays)
            await asyncio.wait_for(delete_names(connection, queues, exchanges), 60)


def handlers_under_test() -> dict[str, list[str]]:
    """Every service's handler names (and the kit test's), for cleaning up a session."""
    found: dict[str, list[str]] = {}
    for service in provision.SERVICES:
        module = importlib.import_module(f"hearth_{service}.handlers")
        found[service] = [h.name for h in module.HANDLERS]
    return found | {"kittest": KITTEST_HANDLERS}


KITTEST_HANDLERS = ["on_member_upserted", "on_members"]  # shared/tests' in-process services


def service_env(
    service: str,
    infra: Infra,
    database: TestDatabase,
    name_prefix: str,
    **overrides: Any,
) -> dict[str, str]:
    env = {
        "HEARTH_AMQP_URL": infra.amqp_url,
        "HEARTH_DATABASE_URL": database.dsn(service),
        "HEARTH_NAME_PREFIX": name_prefix,
        "HEARTH_HTTP_PORT": str(free_port()),
        "HEARTH_RETRY_DELAYS": json.dumps(TEST_RETRY_DELAYS),
        "HEARTH_RELAY_POLL_SECONDS": "0.5",
    }
    env.update({f"HEARTH_{k.upper()}": str(v) for k, v in overrides.items()})
    return env


StartService = Callable[..., Awaitable[ServiceProcess]]


@pytest.fixture
async def start_service(
    infra: Infra, database: TestDatabase, name_prefix: str, tmp_path: Path
) -> AsyncIterator[StartService]:
    """Start `python -m hearth_<service>` against this session's broker (under its prefix, or a
    `name_prefix` given) and database."""
    started: list[ServiceProcess] = []

    async def start(service: str, *, wait_for: str = "/ready", **overrides: Any) -> ServiceProcess:
        prefix = overrides.pop("name_prefix", name_prefix)
        env = service_env(service, infra, database, prefix, **overrides)
        process = ServiceProcess(service, env, tmp_path / f"{service}-{len(started)}.log")
        started.append(process)
        await process.start(wait_for=wait_for)
        return process

    yield start
    for process in started:
        await process.stop()


@pytest.fixture
async def broker_proxy(infra: Infra) -> AsyncIterator[TcpProxy]:
    parts = urlsplit(infra.amqp_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5672)
    yield proxy
    await proxy.cut()


def via_proxy(amqp_url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(amqp_url)
    netloc = f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
    return parts._replace(netloc=netloc).geturl()
