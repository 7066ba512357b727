"""Groups' HTTP API (OpenAPI at /docs): the interest pool, proposals, groups and their rosters,
membership, meetings. Every route that could show who is in a group asks `domain.visibility`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hearth_shared.api import Problem, problem_response
from hearth_shared.service_access import behind_token

from ..domain.errors import GroupsRefused
from . import export, groups, interests, meetings, membership, proposals

# Every route behind a service token: a route added to any of these routers needs one too.
ROUTERS = [
    behind_token(
        [interests.router, proposals.router, groups.router, membership.router, meetings.router, export.router]
    )
]


def install_refusals(app: FastAPI) -> None:
    """Rules refused (409 / 422 with a stable code and the field), hidden or unknown (404)."""

    @app.exception_handler(GroupsRefused)
    async def refused(_: Request, exc: GroupsRefused) -> JSONResponse:
        return problem_response(Problem(exc.status, exc.code, str(exc), exc.field))
