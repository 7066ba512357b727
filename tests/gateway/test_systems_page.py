"""Admins register, rotate and disable outside systems on /systems: the secret is shown once and
signs requests the door accepts; every change is audited (never the secret); the page is in
Canadian French too. Staff who are not admins are refused it (403), and the refusal is audited."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from playwright.async_api import async_playwright
from standardwebhooks.webhooks import Webhook

from hearth_shared.contracts import new_event
from hearth_testing.browser import describe, launch, serious_violations
from hearth_testing.builders import member_upserted

from .conftest import Stack, signed_in_as
from .staff import StaffBrowser

MEMBER = "org.hearth.membership.member_upserted.v1"
ATTENDANCE = "org.hearth.conferencing.attendance_reported.v1"


def secret_on(page: str) -> str:
    found = re.search(r'<code id="new-secret">(whsec_[A-Za-z0-9+/=]+)</code>', page)
    assert found, "the new secret is shown on the page that made it"
    return found.group(1)


async def door_status(stack: Stack, system: str, secret: str) -> int:
    body = new_event(member_upserted(), source="/membership-register").model_dump_json()
    message_id, now = f"msg_{uuid.uuid4().hex}", datetime.now(UTC)
    headers = {
        "content-type": "application/cloudevents+json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
    }
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as client:
        answer = await client.post(f"/door/{system}/events", content=body, headers=headers)
    return answer.status_code


async def test_an_admin_registers_rotates_and_disables_a_system(stack: Stack, admin: StaffBrowser) -> None:
    name = f"register-{secrets.token_hex(3)}"
    refused = await admin.post("/systems", {"name": "Not A Name"})
    assert refused.status_code == 422
    assert 'href="#name"' in refused.text
    assert 'href="#event_types"' in refused.text

    made = await admin.post("/systems", {"name": name, "event_types": [MEMBER]})
    assert made.status_code == 201, made.text
    first = secret_on(made.text)
    listed = await admin.client.get("/systems")
    assert name in listed.text
    assert first not in listed.text
    assert await door_status(stack, name, first) == 202

    rotated = await admin.post(f"/systems/{name}/rotate", {"overlap_hours": "0"})
    second = secret_on(rotated.text)
    assert await door_status(stack, name, second) == 202
    assert await door_status(stack, name, first) == 401

    disabled = await admin.post(f"/systems/{name}/disable")
    assert disabled.status_code == 303
    assert await door_status(stack, name, second) == 403

    audit = (await admin.client.get("/audit")).text
    for action in ("system_registered", "system_secret_rotated", "system_disabled"):
        assert action in audit
    assert first not in audit
    assert second not in audit

    cookies = {"hearth_session": admin.client.cookies["hearth_session"], "hearth_lang": "fr"}
    async with httpx.AsyncClient(base_url=stack.gateway.url, cookies=cookies) as in_french:
        french = await in_french.get("/systems")
    assert "Systèmes externes" in french.text
    assert "membership.member_upserted.v1" in french.text


async def refusals_of(stack: Stack, target: str) -> list[tuple[str, str]]:
    """(role, permission) of each staff member refused `target`, as the audit log holds them."""
    connection = await asyncpg.connect(stack.database_dsn, server_settings={"search_path": "gateway"})
    try:
        rows = await connection.fetch(
            "SELECT s.role, a.detail FROM audit_log a JOIN staff s ON s.id = a.staff_id"
            " WHERE a.action = 'refused' AND a.target = $1",
            target,
        )
    finally:
        await connection.close()
    return [(row["role"], row["detail"]) for row in rows]


async def test_staff_who_are_not_admins_are_refused_the_systems_page_and_it_is_audited(
    stack: Stack, admin: StaffBrowser
) -> None:
    name = f"register-{secrets.token_hex(3)}"
    async with signed_in_as(stack, admin, "coordinator") as coordinator:
        page = await coordinator.client.get("/systems")
        made = await coordinator.post("/systems", {"name": name, "event_types": [MEMBER]})
    assert page.status_code == 403
    assert made.status_code == 403
    assert "whsec_" not in made.text
    assert name not in (await admin.client.get("/systems")).text  # nothing was registered
    for target in ("GET /systems", "POST /systems"):
        assert ("coordinator", "manage_systems") in await refusals_of(stack, target), target


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.e2e
async def test_the_systems_page_is_accessible_in_both_languages_and_on_a_phone(
    stack: Stack, admin: StaffBrowser
) -> None:
    await admin.post("/systems", {"name": f"video-{secrets.token_hex(3)}", "event_types": [ATTENDANCE]})
    session = admin.client.cookies["hearth_session"]
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            for language, viewport in (
                ("en", {"width": 1280, "height": 900}),
                ("fr", {"width": 390, "height": 844}),
            ):
                context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
                cookies = [("hearth_session", session), ("hearth_lang", language)]
                await context.add_cookies(
                    [{"name": n, "value": v, "url": stack.gateway.url} for n, v in cookies]
                )
                page = await context.new_page()
                await page.goto(f"{stack.gateway.url}/systems")
                await page.get_by_role(
                    "button", name="Register the system" if language == "en" else "Inscrire le système"
                ).click()
                found = await serious_violations(page)  # the page with its error summary
                assert not found, f"{language}:\n{describe(found)}"
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                await page.screenshot(path=SCREENSHOTS / f"{language}-systems.png", full_page=True)
                await context.close()
        finally:
            await browser.close()
