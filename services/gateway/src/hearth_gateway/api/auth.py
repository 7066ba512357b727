"""Signing in (password, then the second factor), setting up two-factor, signing out, and the
language switch. The login form has a CSRF token of its own (a cookie and the same value in
the form), since no session exists yet."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..actions import auth
from ..domain.staff import NextStep
from ..domain.two_factor import provisioning_uri
from .deps import SESSION_COOKIE, GatewayDep, HalfOpen, OwnAccount, client_address
from .i18n import LANGUAGES, N_
from .rendering import LANGUAGE_COOKIE

router = APIRouter(tags=["sign-in"])

LOGIN_CSRF_COOKIE = "hearth_login_csrf"
_NEXT = {
    NextStep.DONE: "/",
    NextStep.ENTER_CODE: "/login/code",
    NextStep.SET_UP_TWO_FACTOR: "/account/two-factor",
}


def _cookie(response: Response, gw: GatewayDep, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        secure=gw.settings.cookie_secure,
        httponly=True,
        samesite="lax",
        path="/",
    )


def _login_page(request: Request, gw: GatewayDep, errors: list[tuple[str, str]], email: str = "") -> Response:
    token = secrets.token_urlsafe(32)
    page = gw.pages.render(
        request,
        "login.html",
        {"errors": errors, "email": email, "csrf_token": token},
        status_code=422 if errors else 200,
    )
    _cookie(page, gw, LOGIN_CSRF_COOKIE, token)
    return page


@router.get("/login")
async def show_login(request: Request, gw: GatewayDep) -> Response:
    return _login_page(request, gw, [])


@router.post("/login")
async def log_in(
    request: Request,
    gw: GatewayDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _login_page(request, gw, [("email", N_("Your sign-in form expired. Try again."))], email)
    if not email or not password:
        missing = [("email", N_("Enter your email address."))] if not email else []
        missing += [("password", N_("Enter your password."))] if not password else []
        return _login_page(request, gw, missing, email)
    login = await auth.log_in(gw.pool, gw.throttle, email, password, client_address(request))
    if login.outcome is auth.LoginOutcome.THROTTLED:
        return _login_page(
            request, gw, [("email", N_("Too many failed attempts. Wait 15 minutes, then try again."))], email
        )
    if login.outcome is auth.LoginOutcome.REFUSED or login.token is None or login.next_step is None:
        return _login_page(request, gw, [("email", N_("The email address or password is not right."))], email)
    response = RedirectResponse(_NEXT[login.next_step], status_code=303)
    _cookie(response, gw, SESSION_COOKIE, login.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.get("/login/code")
async def show_code_form(request: Request, gw: GatewayDep, signed: HalfOpen) -> Response:
    return gw.pages.render(request, "two_factor.html", session=signed.session)


@router.post("/login/code")
async def enter_code(
    request: Request, gw: GatewayDep, signed: HalfOpen, code: Annotated[str, Form(max_length=50)] = ""
) -> Response:
    if signed.staff.two_factor_enabled and await auth.verify_second_factor(
        gw.pool, signed.token, signed.staff, code, signed.address
    ):
        return RedirectResponse("/", status_code=303)
    errors = [("code", N_("That code is not right. Enter the code your app shows now."))]
    return gw.pages.render(
        request, "two_factor.html", {"errors": errors}, session=signed.session, status_code=422
    )


@router.get("/account/two-factor")
async def show_two_factor_setup(request: Request, gw: GatewayDep, signed: HalfOpen) -> Response:
    if signed.staff.two_factor_enabled:
        return RedirectResponse("/", status_code=303)
    secret = await auth.begin_two_factor_setup(gw.pool, signed.staff)
    context = {"secret": secret, "uri": provisioning_uri(secret, signed.staff.email)}
    return gw.pages.render(request, "two_factor_setup.html", context, session=signed.session)


@router.post("/account/two-factor")
async def turn_on_two_factor(
    request: Request, gw: GatewayDep, signed: HalfOpen, code: Annotated[str, Form(max_length=50)] = ""
) -> Response:
    if signed.staff.two_factor_enabled:
        return RedirectResponse("/", status_code=303)
    codes = await auth.finish_two_factor_setup(gw.pool, signed.token, signed.staff, code, signed.address)
    if codes is None:
        secret = await auth.begin_two_factor_setup(gw.pool, signed.staff)
        context = {
            "secret": secret,
            "uri": provisioning_uri(secret, signed.staff.email),
            "errors": [("code", N_("That code is not right. Enter the code your app shows now."))],
        }
        return gw.pages.render(
            request, "two_factor_setup.html", context, session=signed.session, status_code=422
        )
    found = await auth.current_session(gw.pool, signed.token, gw.rules)
    return gw.pages.render(request, "recovery_codes.html", {"codes": codes}, session=found)


@router.post("/logout")
async def log_out(gw: GatewayDep, signed: OwnAccount) -> Response:
    await auth.log_out(gw.pool, signed.token, signed.staff, signed.address)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/language")
async def switch_language(gw: GatewayDep, to: str = "en", next: str = "/") -> Response:
    """Remembers the language chosen (a cookie that opens nothing) and goes back to the page."""
    target = next if next.startswith("/") and not urlsplit(next).netloc and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if to in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            to,
            max_age=365 * 86400,
            secure=gw.settings.cookie_secure,
            httponly=True,
            samesite="lax",
            path="/",
        )
    return response
