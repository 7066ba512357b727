"""The services as the public site calls them: the gateway's service token in the `public` role
(the person is proven by the signed link before any call), and refusals kept as codes, never as
the service's words — a page says in its own words what went wrong, so that nothing a service
writes for staff (a membership's status, say) ever reaches a visitor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from hearth_shared.api import CORRELATION_HEADER
from hearth_shared.logs import current_correlation_id
from hearth_shared.service_access import PUBLIC
from hearth_shared.service_token import bearer, sign

from .services import Services

Json = Any

# Who the tokens name: not a staff member but the public site itself (the services log it).
PUBLIC_CALLER = uuid.UUID("00000000-0000-4000-8000-00000000beef")


@dataclass(frozen=True)
class Refusal:
    field: str | None
    code: str


class PublicServiceError(Exception):
    """A service refused (4xx) or failed (5xx, or did not answer: 503)."""

    def __init__(
        self, service: str, status: int, refusals: list[Refusal], route_missing: bool = False
    ) -> None:
        super().__init__(f"{service} answered {status}: {', '.join(r.code for r in refusals)}")
        self.service, self.status, self.refusals = service, status, refusals
        # A 404/405 from the framework itself (no such route), not from the service's own rules.
        self.route_missing = route_missing

    def has(self, *codes: str) -> bool:
        return any(r.code in codes for r in self.refusals)


def _refusal(service: str, response: httpx.Response) -> PublicServiceError:
    try:
        body = response.json()
    except ValueError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list):
        refusals = [
            Refusal(e.get("field"), str(e.get("code", "refused"))) for e in errors if isinstance(e, dict)
        ]
        return PublicServiceError(service, response.status_code, refusals)
    missing = response.status_code in (404, 405) and isinstance(body, dict) and "detail" in body
    return PublicServiceError(
        service, response.status_code, [Refusal(None, "refused")], route_missing=missing
    )


class PublicServices(Services):
    """The same clients as the staff pages' (one per service), with the public role's token."""

    async def ask(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        token = sign(self._key, PUBLIC_CALLER, PUBLIC, lifetime=self._lifetime)
        headers = bearer(token) | {CORRELATION_HEADER: current_correlation_id()} | kwargs.pop("headers", {})
        try:
            response = await self._clients[service].request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise PublicServiceError(service, 503, [Refusal(None, "unavailable")]) from exc
        if response.status_code >= 400:
            raise _refusal(service, response)
        return response

    async def read(self, service: str, path: str, **params: Any) -> Json:
        return (await self.ask(service, "GET", path, params=params)).json()

    async def send(self, method: str, service: str, path: str, body: Json, **kwargs: Any) -> Json:
        return (await self.ask(service, method, path, json=body, **kwargs)).json()
