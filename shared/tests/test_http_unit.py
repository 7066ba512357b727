"""The HTTP pieces every service shares, in-process (no network): a request body over the limit
is refused before the app reads it, and a correlation id from a client is used only if safe."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request

from hearth_shared.api import (
    BodyLimitMiddleware,
    CorrelationMiddleware,
    correlation_id_from,
    install_error_handlers,
)
from hearth_shared.logs import current_correlation_id


def app(limit: int) -> FastAPI:
    application = FastAPI()
    install_error_handlers(application)

    @application.post("/echo")
    async def echo(request: Request) -> dict[str, object]:
        return {"size": len(await request.body()), "correlation_id": current_correlation_id()}

    application.add_middleware(BodyLimitMiddleware, limit=limit)
    application.add_middleware(CorrelationMiddleware)
    return application


async def post(limit: int, content: bytes | object, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app(limit))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post("/echo", content=content, headers=headers)  # type: ignore[arg-type]


async def test_a_body_within_the_limit_is_served() -> None:
    response = await post(100, b"x" * 100)
    assert (response.status_code, response.json()["size"]) == (200, 100)


async def test_a_body_over_the_limit_is_refused_by_its_length() -> None:
    response = await post(100, b"x" * 101)
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"


async def test_a_body_over_the_limit_without_a_length_is_refused_as_it_arrives() -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"x" * 50

    response = await post(100, chunks())
    assert response.status_code == 413


@pytest.mark.parametrize("given", ["abc\r\nBcc: x", "a\x00b", "x" * 201, "", "white space"])
def test_an_unsafe_correlation_id_is_replaced(given: str) -> None:
    assert correlation_id_from(given) != given


def test_a_safe_correlation_id_is_kept() -> None:
    assert correlation_id_from("req-2026.11.20:abc/1") == "req-2026.11.20:abc/1"
