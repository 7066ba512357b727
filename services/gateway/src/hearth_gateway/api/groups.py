"""Groups: the groups that exist, the interest pool of each kind, and proposed formations to
review and publish — all from the groups service's API."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import operations
from .deps import GatewayDep, ManageGroups, ViewGroups

router = APIRouter(tags=["groups"])

# The groups service's kinds (hearth_groups.domain.kinds.Kind), as its API names them.
KINDS = (
    "practice_area_circle",
    "language_circle",
    "peer_support",
    "peer_supervision",
    "advocacy_campaign",
    "resource_co_creation",
)


@router.get("/groups")
async def list_groups(
    request: Request, gw: GatewayDep, signed: ViewGroups, kind: str = KINDS[0], published: str = ""
) -> Response:
    who = signed.staff
    chosen = kind if kind in KINDS else KINDS[0]
    groups, pool = await asyncio.gather(
        gw.services.get(who, "groups", "/groups", kind=chosen),
        gw.services.get(who, "groups", "/interests", kind=chosen),
    )
    waiting = Counter((i["topic"], i["language"], i["region"] or "") for i in pool if i["status"] == "open")
    context = {
        "kinds": KINDS,
        "kind": chosen,
        "groups": groups,
        "pool": sorted(waiting.items()),
        "pool_size": sum(waiting.values()),
        "published": published,
    }
    return gw.pages.render(request, "groups.html", context, session=signed.session)


@router.post("/groups/proposals")
async def propose(gw: GatewayDep, signed: ManageGroups, kind: Annotated[str, Form()] = "") -> Response:
    if kind not in KINDS:
        return RedirectResponse("/groups", status_code=303)
    proposal = await operations.propose_groups(gw.pool, gw.services, signed.staff, kind, signed.address)
    return RedirectResponse(f"/groups/proposals/{proposal['id']}", status_code=303)


@router.get("/groups/proposals/{proposal_id}")
async def show_proposal(
    request: Request, gw: GatewayDep, signed: ManageGroups, proposal_id: uuid.UUID
) -> Response:
    proposal = await gw.services.get(signed.staff, "groups", f"/proposals/{proposal_id}")
    return gw.pages.render(request, "group_proposal.html", {"proposal": proposal}, session=signed.session)


@router.post("/groups/proposals/{proposal_id}/publish")
async def publish(gw: GatewayDep, signed: ManageGroups, proposal_id: uuid.UUID) -> Response:
    formed = await operations.publish_groups(
        gw.pool, gw.services, signed.staff, str(proposal_id), signed.address
    )
    kind = formed[0]["kind"] if formed else KINDS[0]
    return RedirectResponse(f"/groups?kind={kind}&published={len(formed)}", status_code=303)
