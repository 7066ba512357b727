"""Staff accounts against the real gateway process: cookies, throttled sign-ins, second factors
and recovery codes used once, sign-out, an admin's password reset and role change ending the
person's sessions, disabled accounts, and the command line refusing a weak first password."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack, add_staff, run_create_admin
from .staff import StaffBrowser


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
