"""Registration's HTTP API (OpenAPI at /docs): gatherings, series and breakouts, tickets and the
waitlist, attendance and feedback."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hearth_shared.api import Problem, problem_response
from hearth_shared.service_access import behind_token

from .. import domain
from . import attendance, breakouts, export, feedback, gatherings, people, tickets, waitlist

# Every route behind a service token: a route added to any of these routers needs one too.
ROUTERS = [
    behind_token(
        [
            gatherings.router,
            breakouts.router,
            tickets.router,
            waitlist.router,
            attendance.router,
            feedback.router,
            people.router,
            export.router,
        ]
    )
]


def status_of(refused: domain.RegistrationRefused) -> int:
    """422 when the request itself is wrong, else 409: a conflict with the current state."""
    return 422 if isinstance(refused, domain.InvalidRequest) else 409


def install_refusals(app: FastAPI) -> None:
    """Rules refused (409, or 422 when the request itself is wrong, with a stable code and the
    field) and unknown ids (404), for every route."""

    @app.exception_handler(domain.RegistrationRefused)
    async def refused(_: Request, exc: domain.RegistrationRefused) -> JSONResponse:
        return problem_response(Problem(status_of(exc), exc.code, str(exc), exc.field))

    @app.exception_handler(domain.NotFound)
    async def not_found(_: Request, exc: domain.NotFound) -> JSONResponse:
        return problem_response(Problem(404, "not_found", str(exc)))
