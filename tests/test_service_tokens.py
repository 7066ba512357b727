"""Services answer only the gateway: every route of every service app, but health, readiness and
metrics (its OpenAPI document included; there is no Swagger page) refuses a request without a valid
service token (401) and a role it does not allow (403); no state-changing route lets a viewer
through. Walked from the apps' own route tables, so a route added later is checked without anyone
listing it here.

The apps run in-process without their runtime started (no broker, no database): a refusal never
reaches the database, and an allowed role is only shown to get past the checks."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from hearth_shared.api import operations_router
from hearth_shared.service_access import ROLES, VIEWER, caller_in_logs
from hearth_shared.service_token import KEY_VARIABLE, RequireServiceToken, bearer, sign

KEY = "a-test-key-for-service-tokens-" + "x" * 20
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def apps() -> dict[str, Callable[[], FastAPI]]:
    from hearth_credits.app import create_app as credits
    from hearth_groups.app import create_app as groups
    from hearth_notifications.app import create_app as notifications
    from hearth_registration.app import create_app as registration

    return {
        "registration": registration,
        "credits": credits,
        "notifications": notifications,
        "groups": groups,
    }


APPS = {service: make() for service, make in apps().items()}


def guarded_routes() -> list[tuple[str, str, RouteContext]]:
    """(service, method, route) for every route but the shared operations ones (health, readiness,
    metrics): nothing else is exempt, the OpenAPI document neither."""
    found = []
    for service, app in APPS.items():
        operations = {r.path for r in operations_router(app.state.runtime).routes}  # type: ignore[attr-defined]
        for route in iter_route_contexts(app.routes):
            if route.path in operations:
                continue
            assert isinstance(route.original_route, APIRoute), f"{service}: {route.path} is not an API route"
            found += [(service, method, route) for method in sorted(route.methods or ())]
    return found


ROUTES = guarded_routes()
IDS = [f"{service} {method} {route.path}" for service, method, route in ROUTES]


def token_checks(dependant: Dependant) -> list[RequireServiceToken]:
    checks = [d.call for d in dependant.dependencies if isinstance(d.call, RequireServiceToken)]
    return checks + [c for d in dependant.dependencies for c in token_checks(d)]


def allowed_roles(route: RouteContext) -> set[str]:
    """The roles every token check on the route lets through (a check without roles: any)."""
    allowed = set(ROLES)
    for check in token_checks(route.dependant):
        allowed &= check.roles or set(ROLES)
    return allowed


def url_of(route: RouteContext) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path or "")


async def answer(service: str, method: str, route: RouteContext, headers: dict[str, str]) -> int:
    transport = httpx.ASGITransport(app=APPS[service], raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        response = await client.request(method, url_of(route), headers=headers)
    return response.status_code


@pytest.fixture(autouse=True)
def service_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VARIABLE, KEY)


def test_the_walk_finds_every_service_s_routes() -> None:
    walked = {service for service, _, _ in ROUTES}
    assert walked == {"registration", "credits", "notifications", "groups"}
    assert len(ROUTES) >= 30
    assert {service for service, _, route in ROUTES if route.path == "/openapi.json"} == walked


@pytest.mark.parametrize("service", sorted(APPS))
async def test_the_api_description_is_for_staff_only_and_there_is_no_swagger_page(service: str) -> None:
    transport = httpx.ASGITransport(app=APPS[service], raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        anonymous = await client.get("/openapi.json")
        public = await client.get("/openapi.json", headers=bearer(sign(KEY, uuid.uuid4(), "public")))
        viewer = await client.get("/openapi.json", headers=bearer(sign(KEY, uuid.uuid4(), VIEWER)))
        pages = [(await client.get(p)).status_code for p in ("/docs", "/redoc", "/docs/oauth2-redirect")]

    assert (anonymous.status_code, public.status_code, viewer.status_code) == (401, 403, 200)
    assert viewer.json()["paths"] == APPS[service].openapi()["paths"]
    assert "/openapi.json" not in viewer.json()["paths"]
    assert pages == [404, 404, 404]


@pytest.mark.parametrize(("service", "method", "route"), ROUTES, ids=IDS)
def test_every_route_hangs_behind_the_token_router_and_names_its_roles(
    service: str, method: str, route: RouteContext
) -> None:
    calls = [d.call for d in route.dependant.dependencies]
    assert caller_in_logs in calls, "hang the router from behind_token (api/__init__.py)"
    assert route.endpoint is not None
    own = token_checks(get_dependant(path=route.path or "", call=route.endpoint))
    assert own, "name the roles: one of the aliases in the service's api/deps.py"
    assert all(check.roles and check.roles <= set(ROLES) for check in own)


@pytest.mark.parametrize(("service", "method", "route"), ROUTES, ids=IDS)
async def test_a_request_without_a_valid_token_is_refused(
    service: str, method: str, route: RouteContext
) -> None:
    staff = uuid.uuid4()
    expired = sign(KEY, staff, "admin", now=datetime.now(UTC) - timedelta(minutes=5))
    forged = sign("another-key-" + "y" * 40, staff, "admin")
    for headers in (
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Basic {sign(KEY, staff, 'admin')}"},
        bearer(expired),
        bearer(forged),
    ):
        assert await answer(service, method, route, headers) == 401, headers


@pytest.mark.parametrize(("service", "method", "route"), ROUTES, ids=IDS)
async def test_each_role_is_let_through_or_refused_as_the_route_says(
    service: str, method: str, route: RouteContext
) -> None:
    allowed = allowed_roles(route)
    assert allowed, "a route no role may call"
    if method in WRITES:
        assert VIEWER not in allowed, "a viewer only reads"
    for role in (*ROLES, "intruder"):
        status = await answer(service, method, route, bearer(sign(KEY, uuid.uuid4(), role)))
        if role in allowed:
            assert status not in (401, 403), role
        else:
            assert status == 403, role
