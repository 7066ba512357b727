"""The gateway's wiring: settings, runtime (pool, migrations, broker), the service clients, the
login throttle, the pages in both languages, and the routers."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from hearth_shared.api import build_app
from hearth_shared.messaging import ServiceRuntime
from hearth_shared.service_token import key_from_env

from .actions.door import Door, DoorMetrics
from .actions.throttle import LoginThrottle
from .api import (
    access,
    attendance,
    audit,
    auth,
    check_in,
    dashboard,
    emails,
    event_door,
    gatherings,
    groups,
    parked,
    people,
    public_emails,
    public_events,
    public_feedback,
    public_links,
    public_verify,
    registrants,
    self_reports,
    staff,
    systems,
)
from .api.deps import Gateway, NotSignedIn, Refused
from .api.event_door import DoorSizeGuard
from .api.i18n import load_translations
from .api.log_privacy import keep_searches_out_of_logs
from .api.public_common import install_public_refusals, public_site
from .api.rendering import Pages
from .api.security_headers import SecurityHeaders
from .domain.sessions import SessionRules
from .domain.words import N_
from .handlers import HANDLERS
from .settings import GatewaySettings
from .store.door_publisher import DoorPublisher
from .store.retention import forget_audit_entries
from .store.services import ServiceError, Services
from .workers.session_sweeper import SessionSweeper

SERVICE = "gateway"
Settings = GatewaySettings
ROUTERS = [
    auth.router,
    dashboard.router,
    gatherings.router,
    registrants.router,
    check_in.router,
    attendance.router,
    people.router,
    access.router,
    self_reports.router,
    groups.router,
    emails.router,
    parked.router,
    audit.router,
    staff.router,
    systems.router,
    event_door.router,
]
# The public site (issue 13): no staff login; a signed link or nothing at all proves who asks.
PUBLIC_ROUTERS = [
    public_events.router,
    public_links.router,
    public_feedback.router,
    public_emails.router,
    public_verify.router,
]


def session_rules(settings: GatewaySettings) -> SessionRules:
    return SessionRules(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


def create_runtime(settings: GatewaySettings | None = None) -> ServiceRuntime:
    settings = settings or GatewaySettings()
    rules = session_rules(settings)
    return ServiceRuntime(
        SERVICE,
        settings,
        handlers=HANDLERS,
        migrations="hearth_gateway.store.migrations",
        workers=[lambda pool: SessionSweeper(pool, rules)],
        retention=[
            lambda conn, now, limit: forget_audit_entries(conn, now - settings.audit_retention, limit)
        ],
    )


def _install_refusals(app: FastAPI, pages: Pages) -> None:
    """401 for no session, 403 for a refusal, 502 when a service fails: each as a page."""

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        words = pages.gettext(request)
        context = {
            "heading": words.gettext(N_("Sign in to continue")),
            "sign_in": exc.continue_at,
            "messages": [],
        }
        return pages.render(request, "error.html", context, status_code=401)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        words = pages.gettext(request)
        message = (
            N_("Your form expired. Go back, reload the page and try again.")
            if exc.reason == "csrf"
            else N_("Your role does not allow this. Ask an admin if you need it.")
        )
        context = {"heading": words.gettext(N_("You cannot do this")), "messages": [words.gettext(message)]}
        return pages.render(request, "error.html", context, status_code=403)

    @app.exception_handler(ServiceError)
    async def service_failed(request: Request, exc: ServiceError) -> Response:
        words = pages.gettext(request)
        status = exc.status if exc.status in (404, 409, 422) else 502
        context = {
            "heading": words.gettext(N_("Something went wrong")),
            "messages": [m for _, m in exc.messages],
        }
        return pages.render(request, "error.html", context, status_code=status)


def service_urls(settings: GatewaySettings) -> dict[str, str]:
    return {
        "registration": settings.registration_url,
        "credits": settings.credits_url,
        "notifications": settings.notifications_url,
        "groups": settings.groups_url,
    }


def service_clients(settings: GatewaySettings, key: str) -> Services:
    urls = service_urls(settings)
    return Services(urls, key, token_lifetime=timedelta(seconds=settings.service_token_seconds))


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """The gateway. Without a service-token key it refuses to start (MissingKey)."""
    settings = settings or GatewaySettings()
    key = settings.service_token_key.get_secret_value() if settings.service_token_key else key_from_env()
    runtime = create_runtime(settings)
    pages = Pages(load_translations())
    routers = [*ROUTERS, *PUBLIC_ROUTERS]
    app = build_app(runtime, title="Hearth gateway", routers=routers, open_description=True)
    app.state.gateway = Gateway(
        settings=settings,
        runtime=runtime,
        services=service_clients(settings, key),
        throttle=LoginThrottle(settings.login_limit_per_account, settings.login_limit_per_address),
        rules=session_rules(settings),
        pages=pages,
    )
    publisher = DoorPublisher(runtime, max_in_flight=settings.door_max_in_flight)
    app.state.door = Door(publisher, DoorMetrics(runtime.metrics))
    static = resources.files("hearth_gateway") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _install_refusals(app, pages)
    app.state.public_site = public_site(
        pages,
        service_urls(settings),
        key,
        settings.service_token_seconds,
        settings.cookie_secure,
        settings.practice_areas,
    )
    install_public_refusals(app)
    app.add_middleware(DoorSizeGuard)  # outside the general body limit: the door's 413 is a problem
    app.add_middleware(SecurityHeaders)
    keep_searches_out_of_logs()
    return app
