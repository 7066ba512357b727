"""Staff accounts, for admins: add one, reset a password, change a role, disable."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import accounts
from ..domain.roles import Role
from ..store import staff
from .deps import GatewayDep, ManageStaff

router = APIRouter(tags=["staff"])


async def _page(
    request: Request, gw: GatewayDep, signed: ManageStaff, status_code: int = 200, **extra: object
) -> Response:
    async with gw.pool.acquire() as conn:
        members = await staff.list_all(conn)
    context = {"members": members, "roles": list(Role), "form": {}, **extra}
    return gw.pages.render(request, "staff.html", context, session=signed.session, status_code=status_code)


@router.get("/staff")
async def list_staff(request: Request, gw: GatewayDep, signed: ManageStaff, done: str = "") -> Response:
    return await _page(request, gw, signed, done=done)


@router.post("/staff")
async def add_staff(
    request: Request,
    gw: GatewayDep,
    signed: ManageStaff,
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form()] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    chosen = Role(role) if role in set(Role) else Role.VIEWER
    try:
        await accounts.create_staff(gw.pool, signed.staff.id, email, chosen, password, signed.address)
    except accounts.AccountRefused as exc:
        return await _page(request, gw, signed, 422, errors=exc.problems, form={"email": email, "role": role})
    return RedirectResponse("/staff?done=created", status_code=303)


@router.post("/staff/{staff_id}/password")
async def reset_password(
    request: Request,
    gw: GatewayDep,
    signed: ManageStaff,
    staff_id: uuid.UUID,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        await accounts.reset_password(gw.pool, signed.staff.id, staff_id, password, signed.address)
    except accounts.AccountRefused as exc:
        errors = [(f"password-{staff_id}" if f == "password" else f, m) for f, m in exc.problems]
        return await _page(request, gw, signed, 422, errors=errors)
    return RedirectResponse("/staff?done=password", status_code=303)


@router.post("/staff/{staff_id}/role")
async def change_role(
    request: Request,
    gw: GatewayDep,
    signed: ManageStaff,
    staff_id: uuid.UUID,
    role: Annotated[str, Form()] = "",
) -> Response:
    if role not in set(Role):
        return RedirectResponse("/staff", status_code=303)
    try:
        await accounts.change_role(gw.pool, signed.staff.id, staff_id, Role(role), signed.address)
    except accounts.AccountRefused as exc:
        return await _page(
            request, gw, signed, 422, errors=[(f"role-{staff_id}", m) for _, m in exc.problems]
        )
    return RedirectResponse("/staff?done=role", status_code=303)


@router.post("/staff/{staff_id}/disable")
async def disable_staff(
    request: Request, gw: GatewayDep, signed: ManageStaff, staff_id: uuid.UUID
) -> Response:
    try:
        await accounts.disable_staff(gw.pool, signed.staff.id, staff_id, signed.address)
    except accounts.AccountRefused as exc:
        return await _page(
            request, gw, signed, 422, errors=[(f"role-{staff_id}", m) for _, m in exc.problems]
        )
    return RedirectResponse("/staff?done=disabled", status_code=303)
