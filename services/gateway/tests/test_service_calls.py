"""What the gateway sends a service: a fresh, short-lived token naming the staff member and role,
and the request's correlation id."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from hearth_gateway.api.log_privacy import WithoutQueryStrings
from hearth_gateway.app import service_clients
from hearth_gateway.domain.roles import Role
from hearth_gateway.domain.staff import Staff
from hearth_gateway.settings import GatewaySettings
from hearth_shared import service_token

KEY = "k" * 40


def test_every_call_carries_a_token_for_the_staff_member_and_role() -> None:
    services = service_clients(GatewaySettings(service_token_seconds=30), KEY)
    member = Staff(uuid.uuid4(), "sam@example.org", Role.CHECK_IN, False, False, datetime.now(UTC))
    headers = services._headers(member)
    scheme, token = headers["Authorization"].split(" ")
    assert scheme == "Bearer"
    assert service_token.verify(KEY, token) == service_token.ServiceCaller(member.id, "check_in")
    assert headers["X-Correlation-Id"]


def test_cookies_are_secure_unless_turned_off_for_local_http() -> None:
    assert GatewaySettings().cookie_secure is True


def test_request_lines_are_logged_without_what_was_searched() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/gatherings/1/check-in?q=Camille+Roy", "1.1", 200),
        None,
    )
    assert WithoutQueryStrings().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /gatherings/1/check-in HTTP/1.1" 200'
