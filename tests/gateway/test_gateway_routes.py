"""Every gateway route refuses who may not use it: anonymous requests get 401 (a page linking to
the login), state changes without the session's CSRF token get 403, and a role without the
route's permission gets 403, written to the audit log. The table is walked, so a new route
cannot slip by."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import APIRoute

from hearth_gateway.api.deps import Allowed, half_open_session
from hearth_gateway.app import PUBLIC_ROUTERS, ROUTERS, create_app
from hearth_gateway.domain.roles import Permission, Role, may
from hearth_gateway.settings import GatewaySettings

from .conftest import Stack, add_staff
from .staff import StaffBrowser

# Open to anyone: operations, the login form, the language switch, static files, the API schema.
OPEN = {
    "/health",
    "/ready",
    "/metrics",
    "/login",
    "/language",
    "/static",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
}
# Signed by the sending system (Standard Webhooks), not a staff session: tests/test_http_door.py.
SIGNED = {"/door/{system}/events"}
OPEN |= SIGNED


def _routes() -> Iterator[APIRoute]:
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            yield route


def _guard(route: APIRoute) -> Permission | str | None:
    for dependency in route.dependant.dependencies:
        if isinstance(dependency.call, Allowed):
            return dependency.call.permission
        if dependency.call is half_open_session:
            return "half_open"
    return None


def _path(route: APIRoute) -> str:
    return route.path.format(**{name: uuid.uuid4() for name in route.param_convertors})


def _guarded() -> list[tuple[str, str, Permission | str]]:
    found = []
    for route in _routes():
        guard = _guard(route)
        if route.path in OPEN:
            continue
        assert guard is not None, f"{route.path} has no permission: give it one from api/deps.py"
        found += [(method, route.path, guard) for method in sorted((route.methods or set()) - {"HEAD"})]
    return found


def test_every_route_of_the_app_is_open_by_design_or_names_a_permission() -> None:
    app = create_app(GatewaySettings(service_token_key="k" * 40))
    paths = set()
    for route in app.routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        paths |= {getattr(c, "path", "") for c in contexts}
    public = {getattr(r, "path", "") for router in PUBLIC_ROUTERS for r in router.routes}  # issue 13
    assert paths - OPEN - public - {r.path for r in _routes()} == set()
    assert len(_guarded()) > 25


async def test_anonymous_requests_are_refused_with_401_everywhere(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway.url) as client:
        for method, path, _ in _guarded():
            answer = await client.request(
                method, path.replace("{", "").replace("}", "") if False else _fill(path)
            )
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert 'href="/login"' in answer.text
        client.cookies.set("hearth_session", secrets.token_urlsafe(32))
        forged = await client.get("/")
        assert forged.status_code == 401


def _fill(path: str) -> str:
    for name in ("gathering_id", "person_id", "report_id", "delivery_id", "staff_id"):
        path = path.replace("{" + name + "}", str(uuid.uuid4()))
    return path


@pytest.fixture(scope="module")
async def viewer(stack: Stack, admin: StaffBrowser) -> StaffBrowser:
    password = secrets.token_urlsafe(16)
    email = f"viewer.{secrets.token_hex(3)}@example.org"
    await add_staff(admin, email, "viewer", password)
    client = httpx.AsyncClient(base_url=stack.gateway.url, timeout=30)
    browser = StaffBrowser(client)
    signed = await browser.sign_in(email, password)
    assert (signed.status_code, signed.headers["location"]) == (303, "/")
    await browser.refresh_csrf()
    return browser


async def test_state_changes_need_the_sessions_csrf_token_and_a_role_that_may(
    viewer: StaffBrowser, admin: StaffBrowser
) -> None:
    for method, path, guard in _guarded():
        if method != "POST":
            continue
        without = await viewer.client.post(_fill(path), data={"csrf_token": "forged"})
        assert without.status_code == 403, (path, without.status_code)
        if isinstance(guard, Permission) and not may(Role.VIEWER, guard):
            wrong_role = await viewer.post(_fill(path))
            assert wrong_role.status_code == 403, (path, wrong_role.status_code)
    refusals = await admin.client.get("/audit", params={"action": "refused"})
    assert "POST /staff" in refusals.text


async def test_pages_a_viewer_may_not_read_are_refused_with_403(viewer: StaffBrowser) -> None:
    for method, path, guard in _guarded():
        if method == "GET" and isinstance(guard, Permission) and not may(Role.VIEWER, guard):
            answer = await viewer.client.get(_fill(path))
            assert answer.status_code == 403, (path, answer.status_code)
