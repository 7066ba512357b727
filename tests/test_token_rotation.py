"""Rotating HEARTH_SERVICE_TOKEN_KEY without refusing calls: while a service has the new key as
HEARTH_SERVICE_TOKEN_KEY and the old one as HEARTH_SERVICE_TOKEN_KEY_PREVIOUS, it accepts tokens
signed with either; the gateway signs with the current key only; without the previous key set,
an old token is refused again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

from hearth_shared.service_token import (
    KEY_VARIABLE,
    PREVIOUS_KEY_VARIABLE,
    InvalidServiceToken,
    MissingKey,
    RequireServiceToken,
    ServiceCaller,
    bearer,
    previous_key_from_env,
    sign,
    verify,
)

pytestmark = pytest.mark.unit

OLD = "the-key-being-rotated-out-" + "o" * 20
NEW = "the-key-rotated-in-now-" + "n" * 20
OTHER = "a-key-nobody-was-given-" + "x" * 20
STAFF = uuid.uuid4()


def test_a_token_of_the_previous_key_verifies_only_while_it_is_given() -> None:
    old_token = sign(OLD, STAFF, "coordinator")
    assert verify(NEW, old_token, previous=OLD) == ServiceCaller(STAFF, "coordinator")
    assert verify(NEW, sign(NEW, STAFF, "viewer"), previous=OLD).role == "viewer"
    with pytest.raises(InvalidServiceToken, match="Signature verification failed"):
        verify(NEW, old_token)
    with pytest.raises(InvalidServiceToken, match="Signature verification failed"):
        verify(NEW, sign(OTHER, STAFF, "admin"), previous=OLD)


def test_an_expired_token_of_the_previous_key_is_still_expired() -> None:
    then = datetime.now(UTC) - timedelta(minutes=5)
    with pytest.raises(InvalidServiceToken, match="expired"):
        verify(NEW, sign(OLD, STAFF, "admin", now=then), previous=OLD)


def test_a_previous_key_too_short_to_be_a_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PREVIOUS_KEY_VARIABLE, "short")
    with pytest.raises(MissingKey, match=PREVIOUS_KEY_VARIABLE):
        previous_key_from_env()
    monkeypatch.delenv(PREVIOUS_KEY_VARIABLE)
    assert previous_key_from_env() is None


def _service() -> FastAPI:
    app = FastAPI()

    @app.get("/who")
    async def who(caller: Annotated[ServiceCaller, Depends(RequireServiceToken("admin"))]) -> str:
        return caller.role

    return app


async def _status(token: str) -> int:
    transport = httpx.ASGITransport(app=_service())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return (await client.get("/who", headers=bearer(token))).status_code


async def test_a_service_mid_rotation_answers_the_gateways_old_and_new_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old_token, new_token = sign(OLD, STAFF, "admin"), sign(NEW, STAFF, "admin")
    monkeypatch.setenv(KEY_VARIABLE, NEW)
    monkeypatch.setenv(PREVIOUS_KEY_VARIABLE, OLD)
    assert (await _status(old_token), await _status(new_token)) == (
        200,
        200,
    )  # a gateway not yet restarted, and one that is
    assert await _status(sign(OTHER, STAFF, "admin")) == 401
    monkeypatch.delenv(PREVIOUS_KEY_VARIABLE)  # rotation finished
    assert (await _status(old_token), await _status(new_token)) == (401, 200)


def test_the_gateway_signs_with_the_current_key_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from hearth_gateway.app import service_clients
    from hearth_gateway.domain.staff import Role, Staff
    from hearth_gateway.settings import GatewaySettings

    monkeypatch.setenv(PREVIOUS_KEY_VARIABLE, OLD)
    services = service_clients(GatewaySettings(service_token_key=NEW), NEW)
    staff = Staff(STAFF, "admin@example.org", Role("admin"), True, False, datetime.now(UTC))
    token = services._headers(staff)["Authorization"].removeprefix("Bearer ")
    assert verify(NEW, token) == ServiceCaller(STAFF, "admin")
    with pytest.raises(InvalidServiceToken):
        verify(OLD, token)
