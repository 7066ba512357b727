"""The right of access: a person buys a ticket, attends, earns credits and a certificate, gives
feedback, joins a group and gets emails; an admin then downloads, through the gateway, one JSON
document with their data from every service (and their transcript) — the rows of an attendance
import that name them by address alone included — and the download is audited. The gateway and
every service refuse the export to anyone but an admin; the gateway audits the refusal."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts.catalogue import CertificateIssued
from hearth_shared.messaging import Names
from hearth_testing.broker import checked, collect, watch
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.processes import ServiceProcess
from hearth_testing.smtp import SmtpSink

from .gateway.staff import StaffBrowser
from .helpers import schedule_gathering
from .test_privacy import _live


async def _create_admin(database: TestDatabase, email: str, password: str) -> None:
    env = {**os.environ, "HEARTH_DATABASE_URL": database.dsn("gateway"), "HEARTH_ADMIN_PASSWORD": password}
    command = [sys.executable, "-m", "hearth_gateway", "create-admin", "--email", email]
    made = await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert made.returncode == 0, made.stdout + made.stderr


@pytest.fixture
async def admin(gateway: ServiceProcess, database: TestDatabase) -> AsyncIterator[StaffBrowser]:
    email, password = f"admin.{secrets.token_hex(4)}@example.org", secrets.token_urlsafe(18)  # one per test
    await _create_admin(database, email, password)
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
        browser = StaffBrowser(client)
        assert (await browser.sign_in(email, password)).status_code == 303
        await browser.set_up_two_factor()
        yield browser


@pytest.fixture
async def services(start_service: StartService, smtp_sink: SmtpSink) -> dict[str, ServiceProcess]:
    started = {name: await start_service(name) for name in ("registration", "credits", "groups")}
    return started | {"notifications": await start_service("notifications", smtp_port=smtp_sink.port)}


@pytest.fixture
async def gateway(start_service: StartService, services: dict[str, ServiceProcess]) -> ServiceProcess:
    urls = {f"{name}_url": process.url for name, process in services.items()}
    return await start_service("gateway", cookie_secure="false", **urls)


async def test_an_admin_downloads_one_document_with_the_persons_data_from_every_service(
    services: dict[str, ServiceProcess],
    admin: StaffBrowser,
    amqp: AbstractRobustConnection,
    name_prefix: str,
    smtp_sink: SmtpSink,
) -> None:
    certificates = await watch(amqp, Names(name_prefix, "test"), CertificateIssued)
    someone, pid, group = await _live(services["registration"], services["groups"], amqp, name_prefix)
    checked(await collect(certificates, 1, timeout=30))
    await smtp_sink.wait_for(someone["email"], count=3, timeout=30)
    async with services["registration"].client() as client:  # a report naming them where they hold no ticket
        elsewhere = await schedule_gathering(services["registration"])
        report = (
            "Name,User Email,Join Time,Leave Time,Duration (Minutes)\n"
            f"Them,{someone['email'].upper()},03/11/2027 12:00:00 PM,03/11/2027 01:00:00 PM,60\n"
        )
        imported = await client.post(f"/gatherings/{elsewhere}/attendance-imports", content=report.encode())
    assert imported.status_code == 201, imported.text
    [error] = imported.json()["errors"]

    page = await admin.client.get(f"/people/{pid}")  # the person's page links to the export
    assert f'id="person-export" href="/people/{pid}/export"' in page.text
    answer = await admin.client.get(f"/people/{pid}/export")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == f'attachment; filename="person-{pid}.json"'
    assert answer.headers["cache-control"] == "no-store"
    document = answer.json()
    data = document["services"]
    assert document["person_id"] == pid
    [me] = data["registration"]["people"]
    assert (me["name"], me["email"]) == (someone["name"], someone["email"])
    assert [t["person_id"] for t in data["registration"]["tickets"]] == [pid]
    assert [f["comments"] for f in data["registration"]["feedback"]] == [f"— {someone['name']}"]
    assert data["registration"]["attendance"]
    [named] = data["registration"]["attendance_import_errors"]
    assert (named["gathering_id"], named["filename"]) == (elsewhere, None)
    assert named["row"] == {k: error[k] for k in ("line", "email", "reason")}  # as the import keeps it
    assert named["row"]["email"].lower() == someone["email"]
    assert [p["email"] for p in data["credits"]["people"]] == [someone["email"]]
    assert [Decimal(str(e["hours"])) for e in data["credits"]["ledger"]] == [Decimal("1.5")]
    assert len(data["credits"]["certificates"]) == 1
    assert {d["to_address"] for d in data["notifications"]["deliveries"]} == {someone["email"]}
    assert len(data["notifications"]["deliveries"]) >= 3
    assert [m["group_id"] for m in data["groups"]["memberships"]] == [group]
    assert Decimal(document["transcript"]["progress"]["earned"]) == Decimal("1.5")
    assert data["gateway"]["audit_log"] == []  # nothing yet: this download is the first

    again = (await admin.client.get(f"/people/{pid}/export")).json()
    assert [e["action"] for e in again["services"]["gateway"]["audit_log"]] == ["person_data_exported"]

    for name, process in services.items():  # each service answers admins only
        async with process.client(role="coordinator") as client:
            refused = await client.get(f"/people/{pid}/export")
        assert refused.status_code == 403, (name, refused.text)


async def test_a_coordinator_is_refused_the_export_and_the_refusal_is_audited(
    gateway: ServiceProcess, admin: StaffBrowser, database: TestDatabase
) -> None:
    email, password = f"coordinator.{secrets.token_hex(4)}@example.org", secrets.token_urlsafe(16)
    made = await admin.post("/staff", {"email": email, "role": "coordinator", "password": password})
    assert made.status_code == 303, made.text
    person_id = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
        coordinator = StaffBrowser(client)
        assert (await coordinator.sign_in(email, password)).status_code == 303
        refused = await client.get(f"/people/{person_id}/export")
    assert refused.status_code == 403, refused.text
    assert "attachment" not in refused.headers.get("content-disposition", "")
    conn = await asyncpg.connect(database.dsn("gateway"), server_settings={"search_path": "gateway"})
    try:
        audited = await conn.fetch(
            """SELECT a.action, a.detail FROM audit_log a JOIN staff s ON s.id = a.staff_id
               WHERE lower(s.email) = lower($1) AND a.target = $2""",
            email,
            f"GET /people/{person_id}/export",
        )
    finally:
        await conn.close()
    assert [(r["action"], r["detail"]) for r in audited] == [("refused", "export_person_data")]
