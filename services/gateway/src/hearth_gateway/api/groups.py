"""Groups: the groups that exist, the interest pool of each kind, proposed formations to review,
edit (a person moved to another group or back to the pool) and publish, and a standing group formed
from a gathering's breakout — all from the groups service's API."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

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
    request: Request,
    gw: GatewayDep,
    signed: ViewGroups,
    kind: str = KINDS[0],
    published: str = "",
    formed: str = "",
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
        "formed": formed,
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
    request: Request, gw: GatewayDep, signed: ManageGroups, proposal_id: uuid.UUID, moved: str = ""
) -> Response:
    proposal = await gw.services.get(signed.staff, "groups", f"/proposals/{proposal_id}")
    context = {"proposal": proposal, "moved": moved}
    return gw.pages.render(request, "group_proposal.html", context, session=signed.session)


@router.post("/groups/proposals/{proposal_id}/moves")
async def move_in_proposal(
    gw: GatewayDep,
    signed: ManageGroups,
    proposal_id: uuid.UUID,
    person_id: Annotated[uuid.UUID, Form()],
    to_group: Annotated[int | None, Form(ge=1, le=10_000)] = None,
) -> Response:
    """A person moved to proposed group `to_group` (its number as shown, from 1), or none: back to
    the pool, out of the groups this proposal forms."""
    to = None if to_group is None else to_group - 1
    await operations.move_in_proposal(
        gw.pool, gw.services, signed.staff, str(proposal_id), str(person_id), to, signed.address
    )
    return RedirectResponse(f"/groups/proposals/{proposal_id}?moved=1", status_code=303)


class BreakoutGroupForm(BaseModel):
    breakout_id: uuid.UUID
    kind: str = Field(max_length=50)


@router.post("/gatherings/{gathering_id}/standing-group")
async def group_from_breakout(
    gw: GatewayDep,
    signed: ManageGroups,
    gathering_id: uuid.UUID,
    form: Annotated[BreakoutGroupForm, Form()],
) -> Response:
    """A standing group from a breakout: its name, language and practice area; its members those
    who asked for such a group in the gathering's feedback (the groups service's rule: consent)."""
    breakouts = await gw.services.get(signed.staff, "registration", f"/gatherings/{gathering_id}/breakouts")
    [breakout] = [b for b in breakouts if b["id"] == str(form.breakout_id)] or [None]
    kind = form.kind
    if breakout is None or kind not in KINDS:
        return RedirectResponse(f"/gatherings/{gathering_id}", status_code=303)
    body = {
        "kind": kind,
        "name": breakout["name"],
        "language": breakout["language"] or "en",
        "practice_area": breakout["practice_area"] if kind == "practice_area_circle" else None,
    }
    made = await operations.form_group_from_gathering(
        gw.pool, gw.services, signed.staff, str(gathering_id), body, signed.address
    )
    return RedirectResponse(f"/groups?kind={kind}&formed={made['member_count']}", status_code=303)


@router.post("/groups/proposals/{proposal_id}/publish")
async def publish(gw: GatewayDep, signed: ManageGroups, proposal_id: uuid.UUID) -> Response:
    formed = await operations.publish_groups(
        gw.pool, gw.services, signed.staff, str(proposal_id), signed.address
    )
    kind = formed[0]["kind"] if formed else KINDS[0]
    return RedirectResponse(f"/groups?kind={kind}&published={len(formed)}", status_code=303)
