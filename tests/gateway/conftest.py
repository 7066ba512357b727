"""The gateway with the services it calls, as real processes on this session's broker and database
server, and an admin signed in with two-factor authentication (made by the command line).

The stack has a database, a broker-name prefix and an SMTP sink of its own, and lives only while
this package's tests run: its services must never compete with the processes other tests start
for the same queues, outbox rows or emails. Notifications signs the links in its emails with the
run's link key (`TEST_LINK_KEY`, which the gateways are given too) for `public_url`: the address
the public site under test (`public_site.py`) listens on, so a link read from the sink opens there."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

from hearth_testing.browser import launch
from hearth_testing.fixtures import remove_topology, service_env
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.processes import ServiceProcess, free_port
from hearth_testing.smtp import SmtpSink

from .staff import StaffBrowser

ADMIN_EMAIL = "admin.walk@example.org"
ADMIN_PASSWORD = secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Stack:
    gateway: ServiceProcess
    registration: ServiceProcess
    credits: ServiceProcess
    notifications: ServiceProcess
    groups: ServiceProcess
    token_key: str
    database_dsn: str
    name_prefix: str
    smtp: SmtpSink  # what the stack's notifications sent
    public_url: str  # where the links in its emails lead: the public site's gateway, once started


@pytest.fixture(scope="package")
async def stack(
    infra: Infra, session_id: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    logs: Path = tmp_path_factory.mktemp("gateway-stack")
    database = TestDatabase(infra.admin_dsn, f"hearth_test_{session_id}_gw", f"ht{session_id}g_")
    await database.create()
    name_prefix = f"t{session_id}g."
    smtp_sink = SmtpSink()
    smtp_sink.start()
    started: list[ServiceProcess] = []

    async def start(service: str, **overrides: object) -> ServiceProcess:
        process = ServiceProcess(
            service, service_env(service, infra, database, name_prefix, **overrides), logs / f"{service}.log"
        )
        started.append(process)
        await process.start(timeout=90)  # a busy shared machine can take its time
        return process

    key = secrets.token_urlsafe(40)
    public_url = f"http://127.0.0.1:{free_port()}"
    try:
        registration, credits, notifications, groups = await asyncio.gather(
            start("registration", service_token_key=key),
            start("credits", service_token_key=key),
            start("notifications", service_token_key=key, smtp_port=smtp_sink.port, public_url=public_url),
            start("groups", service_token_key=key),
        )
        gateway = await start(
            "gateway",
            service_token_key=key,
            cookie_secure="false",
            registration_url=registration.url,
            credits_url=credits.url,
            notifications_url=notifications.url,
            groups_url=groups.url,
        )
        dsn = database.dsn("gateway")
        services = (gateway, registration, credits, notifications, groups)
        yield Stack(*services, key, dsn, name_prefix, smtp_sink, public_url)
    finally:
        for process in started:
            await process.stop()
        smtp_sink.stop()
        await database.drop()
        await remove_topology(infra.amqp_url, name_prefix)


async def run_create_admin(stack: Stack, email: str, password: str) -> tuple[int, str]:
    env = {**os.environ, "HEARTH_DATABASE_URL": stack.database_dsn, "HEARTH_ADMIN_PASSWORD": password}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hearth_gateway",
        "create-admin",
        "--email",
        email,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


@pytest.fixture(scope="package")
async def admin(stack: Stack) -> AsyncIterator[StaffBrowser]:
    """The first admin, made on the command line, signed in, with two-factor set up."""
    code, out = await run_create_admin(stack, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert code == 0, out
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as client:
        browser = StaffBrowser(client)
        signed = await browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
        assert (signed.status_code, signed.headers["location"]) == (303, "/account/two-factor")
        await browser.set_up_two_factor()
        yield browser


async def add_staff(admin: StaffBrowser, email: str, role: str, password: str) -> None:
    made = await admin.post("/staff", {"email": email, "role": role, "password": password})
    assert made.status_code == 303, made.text


@asynccontextmanager
async def signed_in_as(stack: Stack, admin: StaffBrowser, role: str) -> AsyncIterator[StaffBrowser]:
    """A new staff member with `role` (made by the admin), signed in with a password only."""
    password = secrets.token_urlsafe(16)
    email = f"{role}.{uuid.uuid4().hex[:8]}@example.org"
    await add_staff(admin, email, role, password)
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as client:
        member = StaffBrowser(client)
        assert (await member.sign_in(email, password)).status_code == 303
        await member.refresh_csrf()
        yield member


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium through Playwright, one per browser-test module."""
    async with async_playwright() as playwright:
        launched = await launch(playwright)
        yield launched
        await launched.close()
