"""Service tokens for tests and tools: the key every service under test is given, and an httpx
client that calls a service as the gateway would — a fresh short-lived token on every request,
naming a staff member (or the public flow) and a role."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Generator

import httpx

from hearth_shared.service_token import bearer, sign

# One random key per test run (and per bench run): never a constant that could be deployed.
TEST_KEY = secrets.token_urlsafe(48)
# The key of the links in emails (HEARTH_LINK_KEY), one per run too: notifications signs with it
# and the gateway under test reads with it, so a link from an email opens on the public site.
TEST_LINK_KEY = secrets.token_urlsafe(40)


class ServiceTokenAuth(httpx.Auth):
    """Signs a new token for each request, so a client kept open longer than a token's lifetime
    (a minute) still calls as the same staff member."""

    def __init__(self, key: str, role: str = "admin", staff_id: uuid.UUID | None = None) -> None:
        self.key, self.role = key, role
        self.staff_id = staff_id or uuid.uuid4()

    def headers(self) -> dict[str, str]:
        return bearer(sign(self.key, self.staff_id, self.role))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self.headers())
        yield request


NOBODY = uuid.UUID(int=0)  # the public flow's subject when nobody is signed in


class ActorHeadersAuth(ServiceTokenAuth):
    """Signs as the gateway would for the identity a request's `X-Hearth-Role` and
    `X-Hearth-Person` headers describe (groups' tests): `staff` calls as staff (`admin`); a
    member or a guest as the public flow, naming the person (nobody without one)."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.headers.get("X-Hearth-Role") == "staff":
            token = sign(self.key, self.staff_id, "admin")
        else:
            person = request.headers.get("X-Hearth-Person")
            token = sign(self.key, uuid.UUID(person) if person else NOBODY, "public")
        request.headers.update(bearer(token))
        yield request
