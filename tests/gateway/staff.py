"""A staff member's browser, as httpx: signs in through the real forms (CSRF tokens, cookies,
two-factor codes computed from the key the set-up page shows) and posts forms as a browser would."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pyotp

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'<code id="totp-secret">([A-Z2-7]+)</code>')
_CODES = re.compile(r"<li>([a-z2-7]{5}-[a-z2-7]{5})</li>")


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def next_code(secret: str) -> str:
    """A code for the next 30-second step: accepted now (clock drift) and never used before."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))


@dataclass
class StaffBrowser:
    client: httpx.AsyncClient
    csrf: str = ""
    totp_secret: str | None = None
    recovery_codes: list[str] = field(default_factory=list)

    async def sign_in(self, email: str, password: str) -> httpx.Response:
        """Email and password; returns the answer (303 to the next step when right)."""
        page = await self.client.get("/login")
        return await self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": csrf_of(page.text)}
        )

    async def set_up_two_factor(self) -> None:
        page = await self.client.get("/account/two-factor")
        found = _SECRET.search(page.text)
        assert found, page.text
        self.totp_secret = found.group(1)
        done = await self.client.post(
            "/account/two-factor",
            data={"code": pyotp.TOTP(self.totp_secret).now(), "csrf_token": csrf_of(page.text)},
        )
        assert done.status_code == 200, done.text
        self.recovery_codes = _CODES.findall(done.text)
        await self.refresh_csrf()

    async def enter_code(self, code: str) -> httpx.Response:
        page = await self.client.get("/login/code")
        return await self.client.post("/login/code", data={"code": code, "csrf_token": csrf_of(page.text)})

    async def refresh_csrf(self) -> None:
        self.csrf = csrf_of((await self.client.get("/")).text)

    async def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return await self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)
