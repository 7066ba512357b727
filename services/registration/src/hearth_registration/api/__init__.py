"""Registration's HTTP API (OpenAPI at /docs): gatherings, tickets, attendance and feedback."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from hearth_shared.api import Problem, problem_response
from hearth_shared.messaging import ServiceRuntime

from .. import domain
from ..seats import NotFound
from ..settings import RegistrationSettings
from . import attendance, gatherings, tickets
from .common import Deps


def routers(runtime: ServiceRuntime, settings: RegistrationSettings) -> list[APIRouter]:
    deps = Deps(runtime, settings)
    return [gatherings.router(deps), tickets.router(deps), attendance.router(deps)]


def install_refusals(app: FastAPI) -> None:
    """Rules refused (409, or 422 when the request itself is wrong, with a stable code and the
    field) and unknown ids (404), for every route."""

    @app.exception_handler(domain.RegistrationRefused)
    async def refused(_: Request, exc: domain.RegistrationRefused) -> JSONResponse:
        return problem_response(Problem(exc.status, exc.code, str(exc), exc.field))

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return problem_response(Problem(404, "not_found", str(exc)))
