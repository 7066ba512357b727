"""Staff accounts against the real gateway process: cookies, sign-ins throttled per account and
per address (the count shared by two gateways on one database), second factors and recovery codes
used once, sign-out, an admin's password reset and role change ending the person's sessions,
disabled accounts, the audit log's filters, explicit replays of parked messages, and the command
line refusing a weak first password."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import AttendanceReported
from hearth_shared.messaging import Names
from hearth_shared.messaging.parking import list_parked
from hearth_testing.broker import publish_event
from hearth_testing.infra import Infra
from hearth_testing.processes import ServiceProcess, free_port
from hearth_testing.waiting import eventually

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack, add_staff, run_create_admin, signed_in_as
from .staff import StaffBrowser

Times = dict[str, str | None]  # when each message was parked, by the email it names
WRONG = "not the password at all"
THROTTLED = "Too many failed attempts"


def _staff_id(page: str, email: str) -> str:
    found = re.search(rf'{re.escape(email)}.*?action="/staff/([0-9a-f-]+)/role"', page, re.S)
    assert found, f"{email} is not on the staff page"
    return found.group(1)


async def _member(stack: Stack, admin: StaffBrowser, role: str) -> tuple[StaffBrowser, str, str]:
    """A new staff member with `role`, signed in in a browser of their own."""
    email, password = f"{role}.{secrets.token_hex(3)}@example.org", secrets.token_urlsafe(16)
    await add_staff(admin, email, role, password)
    browser = StaffBrowser(httpx.AsyncClient(base_url=stack.gateway.url, timeout=30))
    signed = await browser.sign_in(email, password)
    assert (signed.status_code, signed.headers["location"]) == (303, "/"), signed.text
    await browser.refresh_csrf()
    return browser, email, password


async def test_the_session_cookie_is_httponly_and_samesite_lax_and_pages_are_locked_down(
    stack: Stack, admin: StaffBrowser
) -> None:
    browser, _, _ = await _member(stack, admin, "viewer")
    page = await browser.client.get("/login")
    assert "HttpOnly" in page.headers["set-cookie"]
    assert "SameSite=lax" in page.headers["set-cookie"]
    # (Secure is on by default; this test gateway runs on plain http with HEARTH_COOKIE_SECURE=false.)
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_failed_sign_ins_are_throttled_per_account_and_audited(
    stack: Stack, admin: StaffBrowser
) -> None:
    _, email, password = await _member(stack, admin, "coordinator")
    async with httpx.AsyncClient(base_url=stack.gateway.url) as client:
        stranger = StaffBrowser(client)
        for _ in range(5):
            wrong = await stranger.sign_in(email, "not the password at all")
            assert wrong.status_code == 422
            assert "The email address or password is not right." in wrong.text
        right_but_late = await stranger.sign_in(email, password)
    assert right_but_late.status_code == 422
    assert "Too many failed attempts" in right_but_late.text
    log = await admin.client.get("/audit", params={"action": "login_throttled"})
    assert "login_throttled" in log.text


def _address() -> str:
    """A loopback address of this test's own (Linux answers all of 127/8), so the failures it
    counts per address never reach the other tests' 127.0.0.1."""
    return f"127.{secrets.randbelow(254) + 1}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@asynccontextmanager
async def _from(url: str, address: str) -> AsyncIterator[StaffBrowser]:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=url, transport=transport, timeout=30) as client:
        yield StaffBrowser(client)


async def test_failed_sign_ins_are_throttled_per_address_whatever_the_account(
    stack: Stack, admin: StaffBrowser
) -> None:
    _, email, password = await _member(stack, admin, "viewer")
    address = _address()
    async with _from(stack.gateway.url, address) as guesser:
        for n in range(20):  # HEARTH_LOGIN_LIMIT_PER_ADDRESS: 20 in 15 minutes
            wrong = await guesser.sign_in(f"guess.{n}.{secrets.token_hex(3)}@example.org", WRONG)
            assert (wrong.status_code, THROTTLED in wrong.text) == (422, False)
        late = await guesser.sign_in(email, password)
    assert (late.status_code, THROTTLED in late.text) == (422, True)
    async with _from(stack.gateway.url, _address()) as elsewhere:  # the account itself is not locked
        assert (await elsewhere.sign_in(email, password)).headers["location"] == "/"
    log = await admin.client.get("/audit", params={"action": "login_throttled"})
    assert address in _audit_rows(log.text)


@asynccontextmanager
async def _replica(stack: Stack, infra: Infra, logs: Path) -> AsyncIterator[ServiceProcess]:
    """A second gateway on the same database, as deploy/k8s runs two."""
    env = {
        "HEARTH_AMQP_URL": infra.amqp_url,
        "HEARTH_DATABASE_URL": stack.database_dsn,
        "HEARTH_NAME_PREFIX": stack.name_prefix,
        "HEARTH_HTTP_PORT": str(free_port()),
        "HEARTH_SERVICE_TOKEN_KEY": stack.token_key,
        "HEARTH_COOKIE_SECURE": "false",
        "HEARTH_REGISTRATION_URL": stack.registration.url,
        "HEARTH_CREDITS_URL": stack.credits.url,
        "HEARTH_NOTIFICATIONS_URL": stack.notifications.url,
        "HEARTH_GROUPS_URL": stack.groups.url,
    }
    replica = ServiceProcess("gateway", env, logs / "gateway-replica.log")
    try:
        await replica.start(timeout=90)
        yield replica
    finally:
        await replica.stop()


async def test_two_gateways_on_one_database_share_the_count(
    stack: Stack, admin: StaffBrowser, infra: Infra, tmp_path: Path
) -> None:
    _, email, password = await _member(stack, admin, "coordinator")
    address = _address()
    async with (
        _replica(stack, infra, tmp_path) as replica,
        _from(stack.gateway.url, address) as first,
        _from(replica.url, address) as second,
    ):
        for browser in (first, first, first, second, second):  # 5 failures, 3 + 2
            assert (await browser.sign_in(email, WRONG)).status_code == 422
        on_second = await second.sign_in(email, password)
        on_first = await first.sign_in(email, password)
    assert (on_second.status_code, THROTTLED in on_second.text) == (422, True)
    assert (on_first.status_code, THROTTLED in on_first.text) == (422, True)


def _audit_rows(page: str) -> str:
    """The audit table's body only (the filter's staff list names every member too)."""
    found = re.search(r'<table id="audit">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert found, "the page has no audit table"
    return found.group(1)


async def test_a_failed_sign_in_is_audited_and_the_log_filters_by_staff_member(
    stack: Stack, admin: StaffBrowser
) -> None:
    _, email, _ = await _member(stack, admin, "viewer")
    _, other_email, _ = await _member(stack, admin, "viewer")
    staff_id = _staff_id((await admin.client.get("/staff")).text, email)
    async with _from(stack.gateway.url, _address()) as stranger:
        assert (await stranger.sign_in(email, WRONG)).status_code == 422
    failed = await admin.client.get("/audit", params={"action": "login_failed", "staff_id": staff_id})
    rows = _audit_rows(failed.text)
    assert (rows.count("<tr>"), "login_failed" in rows, email in rows) == (1, True, True)
    theirs = _audit_rows((await admin.client.get("/audit", params={"staff_id": staff_id})).text)
    assert "login_failed" in theirs
    assert "<td>login</td>" in theirs  # their own sign-in, from _member
    assert other_email not in theirs
    assert ADMIN_EMAIL not in theirs


async def test_the_audit_log_filters_by_dates(stack: Stack, admin: StaffBrowser) -> None:
    """Days are whole UTC days, `until` included: an entry late on the 15th and one early on the
    16th fall on either side (entries of 2020 exist only as written here)."""
    late, early = f"late-{secrets.token_hex(4)}", f"early-{secrets.token_hex(4)}"
    conn = await asyncpg.connect(stack.database_dsn, server_settings={"search_path": "gateway"})
    try:
        await conn.executemany(
            "INSERT INTO audit_log (at, action, target) VALUES ($1::timestamptz, 'refused', $2)",
            [
                (datetime(2020, 1, 15, 23, 30, tzinfo=UTC), late),
                (datetime(2020, 1, 16, 0, 30, tzinfo=UTC), early),
            ],
        )
    finally:
        await conn.close()

    async def shown(**dates: str) -> tuple[bool, bool, int]:
        page = await admin.client.get("/audit", params={"action": "refused", **dates})
        rows = _audit_rows(page.text)
        return f"<td>{late}</td>" in rows, f"<td>{early}</td>" in rows, rows.count("<tr>")

    assert await shown(since="2020-01-15", until="2020-01-15") == (True, False, 1)
    assert await shown(since="2020-01-16", until="2020-01-16") == (False, True, 1)
    assert await shown(until="2020-01-15") == (True, False, 1)  # nothing of today before 2020
    assert (await shown(since="2020-01-16"))[:2] == (False, True)


async def _park_two(stack: Stack, amqp: AbstractRobustConnection) -> tuple[Names, Times]:
    """Two attendance reports registration cannot apply (nobody holds those tickets), parked; the
    time each was parked, by the email it names."""
    names = Names(stack.name_prefix, "registration")
    emails = [f"stranger.{secrets.token_hex(4)}@example.org" for _ in range(2)]
    for email in emails:
        report = AttendanceReported(
            gathering_id=uuid.uuid4(), email=email, minutes_attended=60, reported_at=datetime.now(UTC)
        )
        await publish_event(amqp, names, new_event(report, source="/video-platform"))
    return names, await _parked_at(amqp, names, emails)


async def _parked_at(
    amqp: AbstractRobustConnection,
    names: Names,
    emails: list[str],
    unlike: Times | None = None,
) -> Times:
    """When each message naming one of `emails` was parked, once all are (and, given `unlike`,
    once each was parked again since)."""

    async def found() -> Times:
        return {e: p.parked_at for p in await list_parked(amqp, names) for e in emails if e in p.body}

    def ready(got: Times) -> bool:
        return len(got) == len(emails) and (unlike is None or all(got[e] != unlike[e] for e in emails))

    return await eventually(found, ready, timeout=30)


async def test_replaying_all_of_a_service_is_its_own_control_and_a_missing_id_replays_nothing(
    stack: Stack, admin: StaffBrowser, amqp: AbstractRobustConnection
) -> None:
    names, parked = await _park_two(stack, amqp)
    page = (await admin.client.get("/parked")).text
    assert 'action="/parked/replay-all"' in page
    assert "Replay all of registration" in page
    no_id = await admin.post("/parked/replay", {"service": "registration", "message_id": ""})
    assert (no_id.status_code, "Choose the message to replay" in no_id.text) == (422, True)
    no_csrf = await admin.client.post("/parked/replay-all", data={"service": "registration"})
    assert no_csrf.status_code == 403
    async with signed_in_as(stack, admin, "coordinator") as coordinator:
        assert (await coordinator.post("/parked/replay-all", {"service": "registration"})).status_code == 403
    unknown = await admin.post("/parked/replay-all", {"service": "nowhere"})
    assert unknown.status_code == 422
    assert await _parked_at(amqp, names, list(parked)) == parked  # none of that replayed anything
    log = _audit_rows((await admin.client.get("/audit", params={"action": "parked_replayed"})).text)
    assert "registration:all" not in log

    replayed = await admin.post("/parked/replay-all", {"service": "registration"})
    assert replayed.status_code == 303
    count = int(replayed.headers["location"].removeprefix("/parked?replayed="))
    assert count >= 2
    # Back through the handler, and parked again (still nobody's ticket): parked at a new time.
    await _parked_at(amqp, names, list(parked), unlike=parked)
    log = _audit_rows((await admin.client.get("/audit", params={"action": "parked_replayed"})).text)
    assert "<td>registration:all</td>" in log
    assert f"<td>{count} replayed</td>" in log


async def test_a_wrong_code_is_refused_and_a_recovery_code_works_once(
    stack: Stack, admin: StaffBrowser
) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway.url) as client:
        again = StaffBrowser(client)
        signed = await again.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
        assert signed.headers["location"] == "/login/code"
        half_open = await client.get("/")  # half-open: nothing but the code page
        assert half_open.status_code == 401
        assert 'href="/login/code"' in half_open.text
        wrong = await again.enter_code("000000")
        assert (wrong.status_code, "That code is not right" in wrong.text) == (422, True)
        code = admin.recovery_codes[-1]
        assert (await again.enter_code(code.upper())).headers["location"] == "/"
    async with httpx.AsyncClient(base_url=stack.gateway.url) as client:
        reuse = StaffBrowser(client)
        await reuse.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
        assert (await reuse.enter_code(code)).status_code == 422
    log = await admin.client.get("/audit", params={"action": "two_factor_failed"})
    assert "two_factor_failed" in log.text


async def test_signing_out_ends_the_session(stack: Stack, admin: StaffBrowser) -> None:
    browser, _, _ = await _member(stack, admin, "check_in")
    assert (await browser.client.get("/gatherings")).status_code == 200
    assert (await browser.post("/logout")).headers["location"] == "/login"
    assert (await browser.client.get("/gatherings")).status_code == 401


async def test_an_admins_reset_or_role_change_ends_the_persons_sessions(
    stack: Stack, admin: StaffBrowser
) -> None:
    browser, email, _ = await _member(stack, admin, "coordinator")
    staff_page = (await admin.client.get("/staff")).text
    staff_id = _staff_id(staff_page, email)
    weak = await admin.post(f"/staff/{staff_id}/password", {"password": "short"})
    assert weak.status_code == 422
    assert "Use at least 12 characters." in weak.text
    new_password = secrets.token_urlsafe(16)
    assert (await admin.post(f"/staff/{staff_id}/password", {"password": new_password})).status_code == 303
    assert (await browser.client.get("/")).status_code == 401
    assert (await browser.sign_in(email, new_password)).headers["location"] == "/"
    assert (await admin.post(f"/staff/{staff_id}/role", {"role": "viewer"})).status_code == 303
    assert (await browser.client.get("/")).status_code == 401
    assert (await admin.post(f"/staff/{staff_id}/disable")).status_code == 303
    assert (await browser.sign_in(email, new_password)).status_code == 422
    for action in ("password_reset", "role_changed", "staff_disabled"):
        assert action in (await admin.client.get("/audit", params={"action": action})).text


async def test_the_last_admin_cannot_be_demoted(admin: StaffBrowser) -> None:
    staff_id = _staff_id((await admin.client.get("/staff")).text, ADMIN_EMAIL)
    refused = await admin.post(f"/staff/{staff_id}/role", {"role": "viewer"})
    assert refused.status_code == 422
    assert "Keep at least one admin" in refused.text


@pytest.mark.parametrize(("password", "refusal"), [("short", "Use at least 12 characters.")])
async def test_the_command_line_refuses_a_weak_first_password(
    stack: Stack, password: str, refusal: str
) -> None:
    code, out = await run_create_admin(stack, f"weak.{secrets.token_hex(3)}@example.org", password)
    assert code != 0
    assert refusal in out
    assert "Not done" in out
