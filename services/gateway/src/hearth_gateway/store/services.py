"""The services' HTTP APIs, as the gateway calls them: httpx, one client per service, a fresh
short-lived service token naming the staff member and role on every call, and the request's
correlation id carried along. Their databases are never read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from hearth_shared.api import CORRELATION_HEADER
from hearth_shared.logs import current_correlation_id
from hearth_shared.service_token import bearer, sign

from ..domain.pages import Page, Window
from ..domain.staff import Staff

TOTAL_HEADER = "X-Total-Count"  # how many rows a service's whole list holds
Json = Any  # what a service's JSON answer holds; pages read it as the service's OpenAPI says


class ServiceError(Exception):
    """A service refused (4xx) or failed (5xx); `messages` are its errors, field by field."""

    def __init__(self, service: str, status: int, messages: list[tuple[str | None, str]]) -> None:
        super().__init__(f"{service} answered {status}: {'; '.join(m for _, m in messages)}")
        self.service, self.status, self.messages = service, status, messages


def _messages(response: httpx.Response) -> list[tuple[str | None, str]]:
    try:
        body = response.json()
    except ValueError:
        return [(None, response.text[:300] or response.reason_phrase)]
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return [(e.get("field"), str(e.get("message"))) for e in body["errors"]]
    if isinstance(body, dict) and "detail" in body:
        return [(None, str(body["detail"]))]
    return [(None, str(body)[:300])]


class Services:
    def __init__(self, urls: dict[str, str], key: str, *, token_lifetime: timedelta) -> None:
        """`urls`: each service's base URL by name; tokens signed with `key` live `token_lifetime`."""
        self._clients = {name: httpx.AsyncClient(base_url=url, timeout=15.0) for name, url in urls.items()}
        self._key = key
        self._lifetime = token_lifetime

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    def _headers(self, staff: Staff) -> dict[str, str]:
        token = sign(self._key, staff.id, staff.role.value, lifetime=self._lifetime)
        return bearer(token) | {CORRELATION_HEADER: current_correlation_id()}

    async def call(self, staff: Staff, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The service's answer; ServiceError for any 4xx or 5xx."""
        headers = self._headers(staff) | kwargs.pop("headers", {})
        try:
            response = await self._clients[service].request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ServiceError(
                service, 503, [(None, f"{service} is not answering ({type(exc).__name__})")]
            ) from exc
        if response.status_code >= 400:
            raise ServiceError(service, response.status_code, _messages(response))
        return response

    async def get(self, staff: Staff, service: str, path: str, **params: Any) -> Json:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return (await self.call(staff, service, "GET", path, params=clean)).json()

    async def page(
        self, staff: Staff, service: str, path: str, page: Page, **params: Any
    ) -> tuple[list[Json], Window]:
        """One page of a service's list (`limit`, `offset`) and where it sits in the whole list, as
        the service counts it (`X-Total-Count`): the gateway never fetches the rest."""
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        clean |= {"limit": page.size, "offset": page.offset}
        answer = await self.call(staff, service, "GET", path, params=clean)
        return answer.json(), Window(page.number, int(answer.headers.get(TOTAL_HEADER, 0)), page.size)

    async def post(self, staff: Staff, service: str, path: str, body: Json) -> Json:
        return (await self.call(staff, service, "POST", path, json=body)).json()

    async def patch(self, staff: Staff, service: str, path: str, body: Json) -> Json:
        return (await self.call(staff, service, "PATCH", path, json=body)).json()
