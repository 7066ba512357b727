"""The gateway's settings, from `HEARTH_*` environment variables like every service's."""

from __future__ import annotations

from datetime import timedelta

from pydantic import SecretStr

from hearth_shared.settings import DEFAULT_PRACTICE_AREAS, ServiceSettings


class GatewaySettings(ServiceSettings):
    """Where the services answer, how staff sessions behave, and the service-token key."""

    http_port: int = 8000
    registration_url: str = "http://127.0.0.1:8001"
    credits_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8004"
    groups_url: str = "http://127.0.0.1:8003"  # read only for a person's data export (api/access)
    # Signs the short-lived tokens the gateway sends to the services. No default: the gateway
    # refuses to start without one (`./dev run` generates one for local use).
    service_token_key: SecretStr | None = None
    service_token_seconds: int = 60
    # Cookies are Secure unless this is turned off for plain-http local use.
    cookie_secure: bool = True
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # Failed logins allowed per account and per client address in a moving window (`limits` syntax).
    login_limit_per_account: str = "5/15 minutes"
    login_limit_per_address: str = "20/15 minutes"
    # Requests the HTTP door may have waiting for the broker's confirms at once; one more is
    # answered 429 with `Retry-After` (docs/events.md).
    door_max_in_flight: int = 64
    # How long audit entries are kept (docs/operations.md, "Retention"): two licence years of
    # questions about who did what; longer if the association's regulator or insurer asks.
    audit_retention: timedelta = timedelta(days=730)
    # Services whose parked messages staff may see and replay.
    parked_services: list[str] = ["registration", "credits", "groups", "notifications"]
    # The practice areas the public feedback form offers for a circle: the same list as groups'
    # HEARTH_PRACTICE_AREAS, or groups parks the wishes for the areas it lacks.
    practice_areas: tuple[str, ...] = DEFAULT_PRACTICE_AREAS
