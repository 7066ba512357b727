"""The kit's HTTP error layer (issue 15), without a service: the error answers every route may
give are in the OpenAPI document, a body that cannot be decoded is a 422 in the error shape, a
NUL reaching Postgres is the request's fault (422), and CleanStr states its rule in the document."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import asyncpg
import pytest
from fastapi import APIRouter, Body, FastAPI, Query
from fastapi.testclient import TestClient

from hearth_shared.api import install_error_handlers, operations_router
from hearth_shared.contracts.text import NO_NUL, CleanStr

pytestmark = pytest.mark.unit


class _Runtime:
    service = "kittest"


def app_with(router: APIRouter) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(operations_router(_Runtime()))  # type: ignore[arg-type]
    app.include_router(router)
    return app


router = APIRouter()


@router.post("/things/{thing_id}")
async def change(thing_id: uuid.UUID, body: Annotated[dict[str, Any], Body()]) -> dict[str, str]:
    return {"id": str(thing_id)}


@router.get("/things")
async def search(q: Annotated[CleanStr | None, Query(max_length=20)] = None) -> dict[str, str | None]:
    return {"q": q}


@router.get("/stored")
async def stored() -> None:
    raise asyncpg.exceptions.CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8": 0x00')


def test_every_error_a_route_may_give_is_documented() -> None:
    paths = app_with(router).openapi()["paths"]
    changing = paths["/things/{thing_id}"]["post"]["responses"]
    assert set(changing) == {"200", "401", "403", "404", "413", "422", "503"}
    assert set(paths["/things"]["get"]["responses"]) == {"200", "401", "403", "422", "503"}
    assert set(paths["/health"]["get"]["responses"]) == {"200"}  # not behind the token
    error = paths["/things"]["get"]["responses"]["403"]["content"]["application/json"]["schema"]
    assert error["properties"]["errors"]["type"] == "array"


def test_http_text_states_the_nul_rule_and_keeps_its_limit() -> None:
    [q] = app_with(router).openapi()["paths"]["/things"]["get"]["parameters"]
    assert q["schema"]["anyOf"][0] == {"type": "string", "pattern": NO_NUL, "maxLength": 20}
    client = TestClient(app_with(router))
    assert client.get("/things", params={"q": "café"}).json() == {"q": "café"}
    refused = client.get("/things?q=a%00b")
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "query.q")


def test_a_body_that_cannot_be_decoded_is_a_422_in_the_error_shape() -> None:
    client = TestClient(app_with(router))
    response = client.post(
        f"/things/{uuid.uuid4()}", content=b"\xff-", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [("invalid", "body")]


def test_text_postgres_cannot_store_is_a_422_not_a_server_error() -> None:
    response = TestClient(app_with(router)).get("/stored")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "a text holds a NUL character or a lone surrogate"
