"""Gatherings: the list, a new one (ticket types, a French breakout, CPD credit, its series), one
gathering."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import operations
from ..domain import gatherings as rules
from ..domain.pages import Page, Window
from ..domain.roles import Permission, may
from ..domain.staff import Staff
from ..store.services import Json, ServiceError, Services
from .deps import GatewayDep, ManageGatherings, ViewGatherings
from .forms import form_fields
from .groups import KINDS as GROUP_KINDS

router = APIRouter(tags=["gatherings"])
WAITLIST_PAGE = Page(1)

_DEFAULT_FORM = {
    "ticket_member": "on",
    "ticket_non_member": "on",
    "price_member": "0",
    "price_non_member": "25",
    "time_zone": "America/Halifax",
    "modality": "virtual",
    "kind": "community_of_practice",
    "breakout_name": "Groupe francophone",
}


async def _choices(services: Services, who: Staff, series_id: str | None = None) -> dict[str, object]:
    return {
        "kinds": rules.KINDS,
        "modalities": rules.MODALITIES,
        "zones": rules.ZONES,
        "ticket_kinds": rules.TICKET_KINDS,
        "categories": rules.CATEGORIES,
        "series": await known_series(services, who, series_id),
    }


async def known_series(services: Services, who: Staff, current: str | None = None) -> list[Json]:
    """The series the form offers: those of the latest 100 gatherings, and the one `current` names
    (registration lists gatherings, not series; a new series is made from the form itself)."""
    latest = await services.get(who, "registration", "/gatherings", limit=100, newest_first="true")
    ids = list(
        dict.fromkeys([*([current] if current else []), *(g["series_id"] for g in latest if g["series_id"])])
    )
    return list(await asyncio.gather(*(services.get(who, "registration", f"/series/{i}") for i in ids)))


async def _into_series(
    gw: GatewayDep, signed: ManageGatherings, checked: rules.GatheringForm, fields: dict[str, str]
) -> None:
    """A new series chosen on the form, made first; the gathering goes into it (and the form, shown
    again after a refusal, names it rather than making another)."""
    if checked.new_series is not None:
        made = await operations.create_series(
            gw.pool, gw.services, signed.staff, checked.new_series, signed.address
        )
        checked.body["series_id"] = fields["series_id"] = str(made["id"])


@router.get("/gatherings")
async def list_gatherings(
    request: Request,
    gw: GatewayDep,
    signed: ViewGatherings,
    status: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    shown, window = await gw.services.page(
        signed.staff, "registration", "/gatherings", Page.of(page), status=status or None, newest_first="true"
    )
    context = {"gatherings": shown, "window": window, "status": status}
    return gw.pages.render(request, "gatherings.html", context, session=signed.session)


@router.get("/gatherings/new")
async def new_gathering(request: Request, gw: GatewayDep, signed: ManageGatherings) -> Response:
    context = {"form": _DEFAULT_FORM, **await _choices(gw.services, signed.staff)}
    return gw.pages.render(request, "gathering_new.html", context, session=signed.session)


@router.post("/gatherings")
async def create_gathering(request: Request, gw: GatewayDep, signed: ManageGatherings) -> Response:
    fields = await form_fields(request)
    checked = rules.read_gathering_form(fields)
    errors = list(checked.problems)
    if not errors:
        try:
            await _into_series(gw, signed, checked, fields)
            made = await operations.create_gathering(
                gw.pool, gw.services, signed.staff, checked.body, signed.address
            )
            for breakout in checked.breakouts:
                await operations.add_breakout(
                    gw.pool, gw.services, signed.staff, made["id"], breakout, signed.address
                )
            return RedirectResponse(f"/gatherings/{made['id']}?created=1", status_code=303)
        except ServiceError as exc:
            errors = [(f or "title_en", m) for f, m in exc.messages]
    context = {
        "form": fields,
        "errors": errors,
        **await _choices(gw.services, signed.staff, checked.body.get("series_id")),
    }
    return gw.pages.render(request, "gathering_new.html", context, session=signed.session, status_code=422)


@router.get("/gatherings/{gathering_id}/edit")
async def edit_gathering(
    request: Request, gw: GatewayDep, signed: ManageGatherings, gathering_id: uuid.UUID
) -> Response:
    gathering = await gw.services.get(signed.staff, "registration", f"/gatherings/{gathering_id}")
    choices = await _choices(gw.services, signed.staff, gathering["series_id"])
    context = {"form": rules.form_of(gathering), "gathering": gathering, **choices}
    return gw.pages.render(request, "gathering_new.html", context, session=signed.session)


@router.post("/gatherings/{gathering_id}/edit")
async def change_gathering(
    request: Request, gw: GatewayDep, signed: ManageGatherings, gathering_id: uuid.UUID
) -> Response:
    fields = await form_fields(request)
    checked = rules.read_gathering_form(fields, change=True)
    errors = list(checked.problems)
    if not errors:
        try:
            await _into_series(gw, signed, checked, fields)
            await operations.change_gathering(
                gw.pool, gw.services, signed.staff, str(gathering_id), checked.body, signed.address
            )
            return RedirectResponse(f"/gatherings/{gathering_id}?changed=changed", status_code=303)
        except ServiceError as exc:
            errors = [(f or "title_en", m) for f, m in exc.messages]
    gathering = await gw.services.get(signed.staff, "registration", f"/gatherings/{gathering_id}")
    choices = await _choices(gw.services, signed.staff, checked.body.get("series_id"))
    context = {"form": fields, "errors": errors, "gathering": gathering, **choices}
    return gw.pages.render(request, "gathering_new.html", context, session=signed.session, status_code=422)


@router.get("/gatherings/{gathering_id}")
async def show_gathering(
    request: Request,
    gw: GatewayDep,
    signed: ViewGatherings,
    gathering_id: uuid.UUID,
    created: str = "",
    changed: str = "",
    waitlist_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    extra: dict[str, object] = {"created": created, "changed": changed}
    return await _gathering_page(request, gw, signed, gathering_id, extra, Page.of(waitlist_page))


async def _line(
    services: Services, who: Staff, gathering_id: uuid.UUID, page: Page
) -> tuple[list[Json], Window]:
    """One page of those waiting or offered a seat, in line order, for staff who may see who
    registered (check-in staff see how many only)."""
    if not may(who.role, Permission.VIEW_REGISTRANTS):
        return [], Window(1, 0, page.size)
    path = f"/gatherings/{gathering_id}/waitlist"
    return await services.page(who, "registration", path, page, status=["waiting", "offered"])


async def _gathering_page(
    request: Request,
    gw: GatewayDep,
    signed: ViewGatherings,
    gathering_id: uuid.UUID,
    extra: dict[str, object],
    waitlist_page: Page = WAITLIST_PAGE,
) -> Response:
    who = signed.staff
    gathering, breakouts, figures, (waitlist, line) = await asyncio.gather(
        gw.services.get(who, "registration", f"/gatherings/{gathering_id}"),
        gw.services.get(who, "registration", f"/gatherings/{gathering_id}/breakouts"),
        gw.services.get(who, "registration", f"/gatherings/{gathering_id}/figures"),
        _line(gw.services, who, gathering_id, waitlist_page),
    )
    series = None
    if gathering["series_id"]:
        series = await gw.services.get(who, "registration", f"/series/{gathering['series_id']}")
    context = {"gathering": gathering, "breakouts": breakouts, "series": series}
    context |= {"waiting": figures["waiting"], "waitlist": waitlist, "line": line}
    context |= {"group_kinds": GROUP_KINDS}
    context |= {"errors": [], **extra}
    status_code = 422 if context["errors"] else 200
    return gw.pages.render(
        request, "gathering.html", context, session=signed.session, status_code=status_code
    )


@router.post("/gatherings/{gathering_id}/status")
async def change_status(
    request: Request,
    gw: GatewayDep,
    signed: ManageGatherings,
    gathering_id: uuid.UUID,
    status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    errors = rules.status_change_problems(status, reason)
    if not errors:
        try:
            await operations.change_status(
                gw.pool, gw.services, signed.staff, str(gathering_id), status, reason.strip(), signed.address
            )
            return RedirectResponse(f"/gatherings/{gathering_id}?changed={status}", status_code=303)
        except ServiceError as exc:
            errors = [("status", m) for _, m in exc.messages]
    return await _gathering_page(request, gw, signed, gathering_id, {"errors": errors, "reason": reason})


@router.post("/gatherings/{gathering_id}/breakouts")
async def add_breakout(
    request: Request, gw: GatewayDep, signed: ManageGatherings, gathering_id: uuid.UUID
) -> Response:
    body, errors = rules.read_breakout_form(await form_fields(request))
    if not errors:
        try:
            await operations.add_breakout(
                gw.pool, gw.services, signed.staff, str(gathering_id), body, signed.address
            )
            return RedirectResponse(f"/gatherings/{gathering_id}?changed=changed", status_code=303)
        except ServiceError as exc:
            errors = [(f if f in ("capacity", "language") else "name_en", m) for f, m in exc.messages]
    return await _gathering_page(request, gw, signed, gathering_id, {"errors": errors, "breakout": body})
