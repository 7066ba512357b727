"""The HTTP door for other systems, on the real broker and database: a signed CloudEvent in
structured, binary or batched mode is answered 202 once the broker confirmed it, and registration
applies it; every refusal has its status and an RFC 9457 problem naming the failing fields; an old
signature is refused; a rotated secret keeps working during the overlap; a repeat changes nothing;
over its in-flight limit the door answers 429 with `Retry-After`.

The gateway and registration run as processes with a database and a broker-name prefix of their
own, so they never compete with other tests' processes for the same queues."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from hearth_gateway.actions import systems
from hearth_shared.contracts import new_event
from hearth_testing.builders import member_upserted
from hearth_testing.fixtures import service_env
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.processes import ServiceProcess, free_port
from hearth_testing.waiting import eventually

MEMBER = "org.hearth.membership.member_upserted.v1"
ATTENDANCE = "org.hearth.conferencing.attendance_reported.v1"


@dataclass(frozen=True)
class Door:
    gateway: ServiceProcess
    pool: asyncpg.Pool  # the gateway's schema: systems are registered as the staff page does
    registration: asyncpg.Pool
    env: dict[str, str]

    @property
    def url(self) -> str:
        return self.gateway.url


@pytest.fixture(scope="module")
async def door(
    infra: Infra, session_id: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Door]:
    logs: Path = tmp_path_factory.mktemp("door")
    database = TestDatabase(infra.admin_dsn, f"hearth_test_{session_id}_door", f"ht{session_id}d_")
    await database.create()
    prefix = f"t{session_id}d."
    key = secrets.token_urlsafe(40)
    started: list[ServiceProcess] = []
    try:
        for service in ("registration", "gateway"):
            env = service_env(service, infra, database, prefix, service_token_key=key, cookie_secure="false")
            started.append(ServiceProcess(service, env, logs / f"{service}.log"))
            await started[-1].start(timeout=90)
        pool = await asyncpg.create_pool(database.dsn("gateway"), server_settings={"search_path": "gateway"})
        registration = await asyncpg.create_pool(
            database.dsn("registration"), server_settings={"search_path": "registration"}
        )
        env = service_env("gateway", infra, database, prefix, service_token_key=key, cookie_secure="false")
        yield Door(started[1], pool, registration, env)
        await pool.close()
        await registration.close()
    finally:
        for process in started:
            await process.stop()
        await database.drop()


async def register(door: Door, *event_types: str) -> tuple[str, str]:
    name = f"register-{secrets.token_hex(3)}"
    return name, await systems.register(door.pool, None, name, list(event_types), None)


def signed(secret: str | list[str], body: bytes, at: datetime | None = None) -> dict[str, str]:
    """Standard Webhooks headers: one signature per secret given (a sender rotating signs with both)."""
    message_id = f"msg_{uuid.uuid4().hex}"
    when = at or datetime.now(UTC)
    signatures = [
        Webhook(s).sign(message_id, when, body.decode())
        for s in ([secret] if isinstance(secret, str) else secret)
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def member_document(**changes: Any) -> dict[str, Any]:
    event = new_event(member_upserted(**changes), source="/membership-register")
    return event.model_dump(mode="json")


STRUCTURED = {"content-type": "application/cloudevents+json"}
BATCH = {"content-type": "application/cloudevents-batch+json"}


async def post(door: Door, system: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=door.url, timeout=30) as client:
        return await client.post(f"/door/{system}/events", content=body, headers=headers)


async def member_status(door: Door, member_id: str) -> str | None:
    async with door.registration.acquire() as conn:
        status: str | None = await conn.fetchval(
            "SELECT membership_status FROM people WHERE member_id = $1", member_id
        )
        return status


async def member_row(door: Door, member_id: str) -> tuple[str, str, datetime] | None:
    async with door.registration.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT name, membership_status, member_changed_at FROM people WHERE member_id = $1", member_id
        )
    return None if row is None else (row["name"], row["membership_status"], row["member_changed_at"])


async def test_a_signed_structured_event_is_applied_and_a_repeat_changes_nothing(door: Door) -> None:
    name, secret = await register(door, MEMBER)
    document = member_document()
    body = json.dumps(document).encode()
    answer = await post(door, name, body, STRUCTURED | signed(secret, body))
    assert (answer.status_code, answer.json()) == (202, {"accepted": 1}), answer.text
    member_id = document["data"]["member_id"]
    assert await eventually(lambda: member_status(door, member_id)) == "active"
    applied = await member_row(door, member_id)

    # The same (source, id) with data registration would apply if it were new: a later
    # `changed_at` (newer than the record held), another name, another status.
    later = datetime.fromisoformat(document["data"]["changed_at"]) + timedelta(hours=1)
    changes = {"name": "Renamed By A Repeat", "status": "lapsed", "changed_at": later.isoformat()}
    again = json.dumps(document | {"data": document["data"] | changes}).encode()
    assert (await post(door, name, again, STRUCTURED | signed(secret, again))).status_code == 202

    # The same id from another source is another event (the inbox key is the pair), and it is
    # published after the repeat: once it is applied, the repeat has been consumed.
    other = member_document() | {"id": document["id"], "source": "/another-register"}
    body = json.dumps(other).encode()
    assert (await post(door, name, body, STRUCTURED | signed(secret, body))).status_code == 202
    assert await eventually(lambda: member_status(door, other["data"]["member_id"])) == "active"
    assert await member_row(door, member_id) == applied  # the repeat changed nothing


async def test_binary_and_batched_events_are_applied(door: Door) -> None:
    name, secret = await register(door, MEMBER)
    document = member_document()
    data = json.dumps(document["data"]).encode()
    attributes = {
        f"ce-{k}": str(v) for k, v in document.items() if k not in ("data", "datacontenttype") and v
    }
    binary = {"content-type": "application/json", **attributes}
    answer = await post(door, name, data, binary | signed(secret, data))
    assert answer.status_code == 202, answer.text

    batch = [member_document(), member_document()]
    body = json.dumps(batch).encode()
    answer = await post(door, name, body, BATCH | signed(secret, body))
    assert (answer.status_code, answer.json()) == (202, {"accepted": 2}), answer.text
    for member_id in [document["data"]["member_id"]] + [d["data"]["member_id"] for d in batch]:
        assert await eventually(lambda: member_status(door, member_id)) == "active"  # noqa: B023


def assert_problem(answer: httpx.Response, status: int, *pointers: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = answer.json()
    assert problem["status"] == status
    assert problem["title"]
    assert problem["type"].startswith("urn:hearth:problem:")
    assert {e["pointer"] for e in problem["errors"]} >= set(pointers), problem
    return problem


async def test_each_refusal_has_its_status_and_a_problem_naming_the_fields(door: Door) -> None:
    name, secret = await register(door, MEMBER)
    body = json.dumps(member_document()).encode()
    assert_problem(await post(door, name, body, STRUCTURED), 401)
    assert_problem(await post(door, name, body, STRUCTURED | signed(secret, body + b" ")), 401)
    other_secret = await systems.register(door.pool, None, f"other-{secrets.token_hex(3)}", [MEMBER], None)
    assert_problem(await post(door, name, body, STRUCTURED | signed(other_secret, body)), 401)
    assert_problem(await post(door, "no-such-system", body, STRUCTURED | signed(secret, body)), 401)

    forged = member_document() | {"type": "org.hearth.credits.certificate_issued.v1"}
    raw = json.dumps(forged).encode()
    assert_problem(await post(door, name, raw, STRUCTURED | signed(secret, raw)), 403, "/type")

    broken = member_document()
    broken["data"] = broken["data"] | {"email": "not an address", "changed_at": 0}
    del broken["data"]["name"]
    raw = json.dumps([member_document(), broken]).encode()
    problem = assert_problem(
        await post(door, name, raw, BATCH | signed(secret, raw)),
        422,
        "/1/data/email",
        "/1/data/name",
        "/1/data/changed_at",
    )
    assert not any(e["pointer"].startswith("/0") for e in problem["errors"])

    raw = b"{not json"
    assert_problem(await post(door, name, raw, STRUCTURED | signed(secret, raw)), 400)
    raw = json.dumps(member_document() | {"padding": "x" * 300_000}).encode()
    assert_problem(await post(door, name, raw, STRUCTURED | signed(secret, raw)), 413)
    assert_problem(await post(door, name, body, {"content-type": "text/plain"} | signed(secret, body)), 415)

    await systems.set_enabled(door.pool, None, name, False, None)
    assert_problem(await post(door, name, body, STRUCTURED | signed(secret, body)), 403)

    async with httpx.AsyncClient(base_url=door.url) as client:
        metrics = (await client.get("/metrics")).text
    assert 'hearth_door_refused_total{reason="bad_signature",status="401"}' in metrics
    assert 'hearth_door_refused_total{reason="type_not_allowed",status="403"}' in metrics
    logged = await door.gateway.wait_for_log(
        event="door refused a request", reason="invalid_event", system=name
    )
    assert {"/1/data/email", "/1/data/name"} <= set(logged["fields"])
    refusals = [line for line in door.gateway.logs() if line.get("event") == "door refused a request"]
    assert not [line for line in refusals if "@" in json.dumps(line)]  # pointers, never a value


async def test_a_body_over_the_gateway_s_general_limit_is_a_problem_too(door: Door) -> None:
    name, secret = await register(door, MEMBER)
    huge = json.dumps(member_document() | {"padding": "x" * (9 * 1024 * 1024)}).encode()  # over 8 MiB
    for headers in (STRUCTURED, BATCH):
        problem = assert_problem(await post(door, name, huge, headers | signed(secret, huge)), 413)
        assert problem["type"] == "urn:hearth:problem:too_large"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: refused as it arrives
        for start in range(0, len(huge), 65536):
            yield huge[start : start + 65536]

    async with httpx.AsyncClient(base_url=door.url, timeout=30) as client:
        streamed = await client.post(
            f"/door/{name}/events", content=chunks(), headers=STRUCTURED | signed(secret, huge)
        )
    assert "content-length" not in streamed.request.headers
    assert assert_problem(streamed, 413)["type"] == "urn:hearth:problem:too_large"


async def test_a_signature_outside_the_five_minute_window_is_refused(door: Door) -> None:
    name, secret = await register(door, MEMBER)
    body = json.dumps(member_document()).encode()
    old = signed(secret, body, at=datetime.now(UTC) - timedelta(minutes=6))
    assert_problem(await post(door, name, body, STRUCTURED | old), 401)
    ahead = signed(secret, body, at=datetime.now(UTC) + timedelta(minutes=6))
    assert_problem(await post(door, name, body, STRUCTURED | ahead), 401)
    assert (await post(door, name, body, STRUCTURED | signed(secret, body))).status_code == 202


async def test_a_rotated_secret_works_beside_the_old_one_until_the_overlap_ends(door: Door) -> None:
    name, first = await register(door, MEMBER, ATTENDANCE)
    second = await systems.rotate(door.pool, None, name, None, timedelta(hours=24))
    for secret in (first, second, [first, second]):
        body = json.dumps(member_document()).encode()
        assert (await post(door, name, body, STRUCTURED | signed(secret, body))).status_code == 202
    third = await systems.rotate(door.pool, None, name, None, timedelta(0))
    body = json.dumps(member_document()).encode()
    assert_problem(await post(door, name, body, STRUCTURED | signed(first, body)), 401)
    assert_problem(await post(door, name, body, STRUCTURED | signed(second, body)), 401)
    assert (await post(door, name, body, STRUCTURED | signed(third, body))).status_code == 202


async def test_the_webhook_validation_handshake_grants_a_registered_system(door: Door) -> None:
    name, _ = await register(door, MEMBER)
    async with httpx.AsyncClient(base_url=door.url) as client:
        granted = await client.options(
            f"/door/{name}/events", headers={"WebHook-Request-Origin": "register.example.org"}
        )
        unknown = await client.options(
            "/door/nobody/events", headers={"WebHook-Request-Origin": "register.example.org"}
        )
    assert granted.status_code == 200
    assert granted.headers["webhook-allowed-origin"] == "register.example.org"
    assert "POST" in granted.headers["allow"]
    assert unknown.status_code == 403
    assert "webhook-allowed-origin" not in unknown.headers


async def test_without_the_broker_the_door_answers_503_with_retry_after(door: Door, tmp_path: Path) -> None:
    name, secret = await register(door, MEMBER)
    env = door.env | {
        "HEARTH_AMQP_URL": "amqp://guest:guest@127.0.0.1:1/",
        "HEARTH_HTTP_PORT": str(free_port()),
    }
    cut_off = ServiceProcess("gateway", env, tmp_path / "gateway.log")
    await cut_off.start(wait_for="/health", timeout=60)
    try:
        body = json.dumps(member_document()).encode()
        async with httpx.AsyncClient(base_url=cut_off.url, timeout=30) as client:
            answer = await client.post(
                f"/door/{name}/events", content=body, headers=STRUCTURED | signed(secret, body)
            )
    finally:
        await cut_off.stop()
    assert_problem(answer, 503)
    assert int(answer.headers["retry-after"]) > 0


class ConfirmHold:
    """Forwards a gateway's broker connection; while not `released`, what the broker sends (the
    confirms among it) waits, and what the gateway sends is counted in `sent_while_held`."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self.port = free_port()
        self.released = asyncio.Event()
        self.released.set()
        self.sent_while_held = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def stop(self) -> None:
        self.released.set()
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.transport.abort()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        self._writers += [writer, up_writer]

        async def to_broker() -> None:
            while data := await reader.read(65536):
                self.sent_while_held += 0 if self.released.is_set() else len(data)
                up_writer.write(data)
                await up_writer.drain()

        async def from_broker() -> None:
            while data := await up_reader.read(65536):
                await self.released.wait()
                writer.write(data)
                await writer.drain()

        with contextlib.suppress(Exception):
            await asyncio.gather(to_broker(), from_broker())
        for end in (writer, up_writer):
            end.transport.abort()


async def test_over_its_in_flight_limit_the_door_answers_429_with_retry_after(
    door: Door, infra: Infra, tmp_path: Path
) -> None:
    name, secret = await register(door, MEMBER)
    broker = urlsplit(infra.amqp_url)
    hold = ConfirmHold(broker.hostname or "127.0.0.1", broker.port or 5672)
    await hold.start()
    through = broker._replace(netloc=f"{broker.username}:{broker.password}@127.0.0.1:{hold.port}")
    env = door.env | {
        "HEARTH_AMQP_URL": urlunsplit(through),
        "HEARTH_HTTP_PORT": str(free_port()),
        "HEARTH_DOOR_MAX_IN_FLIGHT": "1",
    }
    limited = ServiceProcess("gateway", env, tmp_path / "gateway.log")
    waiting = member_document()
    try:
        await limited.start(timeout=60)
        async with httpx.AsyncClient(base_url=limited.url, timeout=30) as client:

            async def send(body: bytes) -> httpx.Response:
                headers = STRUCTURED | signed(secret, body)
                return await client.post(f"/door/{name}/events", content=body, headers=headers)

            assert (await send(json.dumps(member_document()).encode())).status_code == 202
            hold.released.clear()
            body = json.dumps(waiting).encode()
            first = asyncio.create_task(send(body))

            async def held() -> int:
                return hold.sent_while_held

            await eventually(held, lambda sent: sent >= len(body))  # published, not yet confirmed
            busy = await send(json.dumps(member_document()).encode())
            hold.released.set()
            accepted = await first
            metrics = (await client.get("/metrics")).text
    finally:
        await limited.stop()
        await hold.stop()
    assert_problem(busy, 429)
    assert int(busy.headers["retry-after"]) > 0
    assert accepted.status_code == 202, accepted.text  # the one in flight, once confirmed
    assert 'hearth_door_refused_total{reason="busy",status="429"} 1.0' in metrics
    assert await eventually(lambda: member_status(door, waiting["data"]["member_id"])) == "active"


def _example(heading: str, language: str) -> str:
    """The code block under `heading` in docs/events.md."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "events.md").read_text(encoding="utf-8")
    after = text.split(f"### {heading}\n", 1)[1]
    return after.split(f"```{language}\n", 1)[1].split("```", 1)[0]


async def test_the_documented_curl_and_python_examples_work(door: Door, tmp_path: Path) -> None:
    name, secret = await register(door, MEMBER)
    url = f"{door.url}/door/{name}/events"
    document = member_document()
    (tmp_path / "member.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    script = _example("With curl", "sh").replace("SECRET='whsec_…'", f"SECRET='{secret}'")
    script = script.replace("https://hearth.example.org/door/membership-register/events", url)
    curl = await asyncio.create_subprocess_exec(
        "bash",
        "-euo",
        "pipefail",
        "-c",
        script.rstrip() + " -w ' %{http_code}'",
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await curl.communicate()
    assert out.decode().endswith("202"), out

    namespace: dict[str, Any] = {}
    exec(_example("With Python", "python"), namespace)  # our own documentation, run as a reader would
    batch = [member_document(), member_document()]
    await asyncio.to_thread(namespace["send"], batch, secret, url)
    for event in [document, *batch]:
        member_id = event["data"]["member_id"]
        assert await eventually(lambda: member_status(door, member_id)) == "active"  # noqa: B023
