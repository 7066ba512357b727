"""The gateway's service tokens: signed, verified, refused when expired, forged or missing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from hearth_shared import service_token
from hearth_shared.service_token import InvalidServiceToken, RequireServiceToken, ServiceCaller

KEY = "k" * 40
STAFF = uuid.uuid4()
NOW = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)


def test_a_signed_token_names_the_staff_member_and_role() -> None:
    token = service_token.sign(KEY, STAFF, "coordinator", now=NOW)
    assert service_token.verify(KEY, token, now=NOW + timedelta(seconds=30)) == ServiceCaller(
        STAFF, "coordinator"
    )


def test_a_token_expires_after_its_lifetime() -> None:
    token = service_token.sign(KEY, STAFF, "viewer", lifetime=timedelta(seconds=60), now=NOW)
    service_token.verify(KEY, token, now=NOW + timedelta(seconds=59))
    with pytest.raises(InvalidServiceToken, match="expired"):
        service_token.verify(KEY, token, now=NOW + timedelta(seconds=60))


def test_a_token_signed_with_another_key_or_altered_is_refused() -> None:
    token = service_token.sign(KEY, STAFF, "viewer", now=NOW)
    with pytest.raises(InvalidServiceToken):
        service_token.verify("x" * 40, token, now=NOW)
    head, _body, signature = token.split(".")
    forged = service_token.sign("x" * 40, STAFF, "admin", now=NOW).split(".")[1]
    with pytest.raises(InvalidServiceToken):
        service_token.verify(KEY, f"{head}.{forged}.{signature}", now=NOW)
    with pytest.raises(InvalidServiceToken):
        service_token.verify(KEY, "not a token", now=NOW)


def test_without_a_key_in_the_environment_nothing_is_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(service_token.KEY_VARIABLE, raising=False)
    with pytest.raises(service_token.MissingKey):
        service_token.key_from_env()
    monkeypatch.setenv(service_token.KEY_VARIABLE, "short")
    with pytest.raises(service_token.MissingKey):
        service_token.key_from_env()


Coordinator = Annotated[ServiceCaller, Depends(RequireServiceToken("admin", "coordinator", key=KEY))]


def _app() -> FastAPI:
    app = FastAPI()

    @app.post("/decide")
    def decide(caller: Coordinator) -> dict[str, str]:
        return {"by": str(caller.staff_id)}

    return app


def test_the_dependency_answers_401_without_a_valid_token_and_403_for_the_wrong_role() -> None:
    client = TestClient(_app())
    assert client.post("/decide").status_code == 401
    assert client.post("/decide", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    expired = service_token.sign(KEY, STAFF, "admin", now=datetime.now(UTC) - timedelta(minutes=5))
    assert client.post("/decide", headers=service_token.bearer(expired)).status_code == 401
    viewer = service_token.sign(KEY, STAFF, "viewer")
    assert client.post("/decide", headers=service_token.bearer(viewer)).status_code == 403
    coordinator = service_token.sign(KEY, STAFF, "coordinator")
    answer = client.post("/decide", headers=service_token.bearer(coordinator))
    assert answer.status_code == 200
    assert answer.json() == {"by": str(STAFF)}
