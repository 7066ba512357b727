"""The broker permissions given to each service cover its own names and nothing of another's; an
outside system may publish only its own routing keys on `hearth.events` — proved on the real broker:
the membership register's user cannot publish a certificate, the video platform's cannot publish a
member record, and neither can publish into `hearth.redeliver` or a queue directly; a service's own
user (credits') cannot publish another service's events (registration's ticket purchase); the
AMQP example in docs/events.md works as the register's user, with or without a `correlationid`."""

from __future__ import annotations

import inspect
import json
import re
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import aiormq
import httpx
import pytest

from hearth_shared.contracts import new_event
from hearth_shared.messaging import Names
from hearth_shared.messaging.publisher import Publisher
from hearth_shared.messaging.topology import declare_exchanges
from hearth_shared.provision import SERVICES
from hearth_shared.provision_broker import (
    BrokerAdmin,
    ManagementApi,
    Rabbitmqctl,
    permissions,
    provision_users,
    topic_permission,
)
from hearth_shared.publishers import OUTSIDE_KEYS, SERVICE_KEYS, covers, outside_event_types
from hearth_testing.builders import member_upserted
from hearth_testing.infra import Infra
from hearth_testing.waiting import eventually


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_may_use_shared_names_and_its_own_queues_only(service: str) -> None:
    allowed = permissions(service)
    for what in ("configure", "write", "read"):
        rule = re.compile(allowed[what])
        assert rule.match("hearth.events")
        assert rule.match(f"{service}.parking")
        assert rule.match(f"{service}.on_something")
        for other in SERVICES:
            if other != service:
                assert not rule.match(f"{other}.parking"), (what, other)
    assert re.match(allowed["write"], "amq.default")


def test_each_service_may_publish_what_it_declares_and_no_outside_system_s_events() -> None:
    from hearth_credits.app import create_runtime as credits
    from hearth_groups.app import create_runtime as groups
    from hearth_notifications.app import create_runtime as notifications
    from hearth_registration.app import create_runtime as registration

    for make in (registration, credits, groups, notifications):
        runtime = make()
        rule = re.compile(topic_permission(runtime.service).write)
        for event in runtime.publishes:
            assert rule.match(event.routing_key()), (runtime.service, event.routing_key())
        assert not rule.match("membership.member_upserted.v1")
    gateway = re.compile(topic_permission("gateway").write)
    assert gateway.match("membership.member_upserted.v1")
    assert not gateway.match("credits.certificate_issued.v1")


def test_outside_systems_own_no_hearth_event() -> None:
    hearth_owned = [
        rule for rules in SERVICE_KEYS.values() for rule in rules if rule not in SERVICE_KEYS["gateway"]
    ]
    for event_type in outside_event_types():
        key = event_type.removeprefix("org.hearth.")
        assert not covers(hearth_owned, key), key
    assert "org.hearth.membership.member_upserted.v1" in outside_event_types()
    assert "org.hearth.credits.certificate_issued.v1" not in outside_event_types()
    assert set(OUTSIDE_KEYS) >= {"membership-register", "video-platform", "payments"}


def broker_admin(infra: Infra) -> Iterator[BrokerAdmin]:
    """The management API when the plugin answers, else rabbitmqctl on this host."""
    host = urlsplit(infra.amqp_url).hostname or "127.0.0.1"
    try:
        with httpx.Client(base_url=f"http://{host}:15672", auth=("guest", "guest"), timeout=5) as client:
            if client.get("/api/overview").status_code == 200:
                yield ManagementApi(client)
                return
    except httpx.HTTPError:
        pass
    if shutil.which("rabbitmqctl") is None:
        pytest.fail(
            "neither the management API nor rabbitmqctl reaches the broker: provisioning cannot be tested"
        )
    yield Rabbitmqctl()


@dataclass(frozen=True)
class BrokerUsers:
    urls: dict[str, str]  # by publisher: two outside systems and one service
    names: Names


@pytest.fixture
async def users(
    infra: Infra, amqp: aio_pika.abc.AbstractRobustConnection, name_prefix: str
) -> AsyncIterator[BrokerUsers]:
    names = Names(name_prefix, "broker_test")
    async with amqp.channel() as channel:
        await declare_exchanges(channel, names)
    user_prefix = f"t{secrets.token_hex(3)}-"
    passwords = {
        system: secrets.token_urlsafe(16) for system in ("membership-register", "video-platform", "credits")
    }
    parts = urlsplit(infra.amqp_url)
    urls = {
        system: urlunsplit(
            parts._replace(netloc=f"{user_prefix}{system}:{password}@{parts.hostname}:{parts.port or 5672}")
        )
        for system, password in passwords.items()
    }
    for broker in broker_admin(infra):
        provision_users(broker, passwords, prefix=name_prefix, user_prefix=user_prefix)
        try:
            yield BrokerUsers(urls, names)
        finally:
            for system in passwords:
                broker.delete_user(f"{user_prefix}{system}")


async def publish_as(url: str, exchange: str, routing_key: str) -> None:
    async with await aio_pika.connect(url) as connection:
        publisher = await Publisher.open(connection)  # type: ignore[arg-type]
        message = aio_pika.Message(
            b"{}", message_id=secrets.token_hex(8), delivery_mode=aio_pika.DeliveryMode.PERSISTENT
        )
        await publisher.publish(message, exchange=exchange, routing_key=routing_key)


async def refused(url: str, exchange: str, routing_key: str) -> bool:
    try:
        await publish_as(url, exchange, routing_key)
    except (aiormq.exceptions.ChannelAccessRefused, aio_pika.exceptions.ChannelClosed):
        return True
    return False


async def test_the_register_may_publish_member_records_and_not_certificates(users: BrokerUsers) -> None:
    register = users.urls["membership-register"]
    events = users.names.events_exchange
    await publish_as(register, events, "membership.member_upserted.v1")  # confirmed by the broker
    assert await refused(register, events, "credits.certificate_issued.v1")
    assert await refused(register, users.names.redeliver_exchange, "replay.registration.on_member_upserted")
    assert await refused(register, "", users.names.parking_queue)  # a queue directly


async def test_the_video_platform_may_report_attendance_and_not_member_records(users: BrokerUsers) -> None:
    platform = users.urls["video-platform"]
    events = users.names.events_exchange
    await publish_as(platform, events, "conferencing.attendance_reported.v1")
    assert await refused(platform, events, "membership.member_upserted.v1")
    assert await refused(platform, events, "registration.attendance_recorded.v1")


async def test_a_service_s_own_user_may_not_publish_another_service_s_events(users: BrokerUsers) -> None:
    credits = users.urls["credits"]
    events = users.names.events_exchange
    await publish_as(credits, events, "credits.certificate_issued.v1")  # its own: confirmed
    assert await refused(credits, events, "registration.ticket_purchased.v1")
    assert await refused(credits, events, "membership.member_upserted.v1")


# The register's user as provisioning names it (hearth-<system>), in the example's broker address.
USER_PREFIX = inspect.signature(provision_users).parameters["user_prefix"].default
DOCUMENTED_BROKER = f'"amqps://{USER_PREFIX}membership-register:PASSWORD@rabbitmq.example.org/"'


def amqp_example() -> str:
    """The Python block after "Sent over AMQP" in docs/events.md."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text(encoding="utf-8")
    return text.split("Sent over AMQP with Python", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]


async def test_the_documented_amqp_example_publishes_as_the_register_s_user(
    users: BrokerUsers, amqp: aio_pika.abc.AbstractRobustConnection
) -> None:
    code = amqp_example()
    assert DOCUMENTED_BROKER in code
    assert '"hearth.events"' in code
    code = code.replace(DOCUMENTED_BROKER, repr(users.urls["membership-register"]))
    code = code.replace('"hearth.events"', repr(users.names.events_exchange))
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # our own documentation, run as a reader would

    with_one = new_event(member_upserted(), source="/membership-register").model_dump(mode="json")
    without = new_event(member_upserted(), source="/membership-register").model_dump(mode="json")
    del without["correlationid"]
    async with amqp.channel() as channel:
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(users.names.events_exchange, "membership.member_upserted.v1")
        for document in (with_one, without):
            await namespace["publish"](document)
        received = [await eventually(lambda: queue.get(no_ack=True, fail=False)) for _ in range(2)]
    for message, document in zip(received, (with_one, without), strict=True):
        assert message is not None
        body = json.loads(message.body)
        assert (message.message_id, body["id"]) == (document["id"], document["id"])
        assert message.correlation_id == body["correlationid"]
        assert message.content_type == "application/cloudevents+json"
        assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert received[0].correlation_id == with_one["correlationid"]
    assert received[1].correlation_id == without["id"]  # the id, as the docs advise
