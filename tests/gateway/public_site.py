"""The public site under test: a gateway of its own with small rate limits, in front of the
package's stack of services, listening where the stack's notifications points its links
(`stack.public_url`) and reading them with the run's link key (HEARTH_LINK_KEY, notifications'
too) — so a link in an email from the stack's SMTP sink opens here; links signed as notifications
signs them for pages no email reaches in time; gatherings and people made through registration's
API as staff would."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from hearth_shared.signed_links import PATHS, Purpose, SignedLinks
from hearth_testing.fixtures import TEST_RETRY_DELAYS
from hearth_testing.infra import Infra
from hearth_testing.processes import ServiceProcess
from hearth_testing.tokens import TEST_LINK_KEY
from hearth_testing.waiting import eventually

from .conftest import Stack

REGISTER_PER_EMAIL = 3  # small, so a test can reach it


@dataclass(frozen=True)
class PublicSite:
    gateway: ServiceProcess
    stack: Stack
    links: SignedLinks

    @property
    def url(self) -> str:
        return self.gateway.url

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=30, **kwargs)


def public_site_fixture(**settings: str) -> Any:
    """The `public` fixture for a test module (`public = public_site_fixture()`): its own gateway,
    with `settings` (environment variables, e.g. tighter limits) over the usual ones."""

    @pytest.fixture(scope="module")
    async def public(
        stack: Stack, infra: Infra, tmp_path_factory: pytest.TempPathFactory
    ) -> AsyncIterator[PublicSite]:
        async for site in _public_site(stack, infra, tmp_path_factory.mktemp("public-site"), settings):
            yield site

    return public


def gateway_env(stack: Stack, infra: Infra, port: int, **settings: str) -> dict[str, str]:
    """A gateway in front of the stack's services, with the run's link key unless `settings` say."""
    return {
        "HEARTH_AMQP_URL": infra.amqp_url,
        "HEARTH_DATABASE_URL": stack.database_dsn,
        "HEARTH_NAME_PREFIX": stack.name_prefix,
        "HEARTH_HTTP_PORT": str(port),
        "HEARTH_RETRY_DELAYS": json.dumps(TEST_RETRY_DELAYS),
        "HEARTH_RELAY_POLL_SECONDS": "0.5",
        "HEARTH_SERVICE_TOKEN_KEY": stack.token_key,
        "HEARTH_COOKIE_SECURE": "false",
        "HEARTH_REGISTRATION_URL": stack.registration.url,
        "HEARTH_CREDITS_URL": stack.credits.url,
        "HEARTH_NOTIFICATIONS_URL": stack.notifications.url,
        "HEARTH_LINK_KEY": TEST_LINK_KEY,
        **settings,
    }


async def _public_site(
    stack: Stack, infra: Infra, logs: Path, settings: dict[str, str]
) -> AsyncIterator[PublicSite]:
    usual = {
        "HEARTH_PUBLIC_URL": stack.public_url,
        "HEARTH_PUBLIC_REGISTER_PER_EMAIL": f"{REGISTER_PER_EMAIL}/hour",
        "HEARTH_PUBLIC_REGISTER_PER_ADDRESS": "500/hour",
        "HEARTH_PUBLIC_LINKS_PER_ADDRESS": "2000/hour",
    }
    env = gateway_env(stack, infra, urlsplit(stack.public_url).port or 80, **(usual | settings))
    gateway = ServiceProcess("gateway", env, logs / "gateway.log")
    await gateway.start(timeout=90)
    try:
        yield PublicSite(gateway, stack, SignedLinks([TEST_LINK_KEY], gateway.url))
    finally:
        await gateway.stop()


STARTS = datetime(2027, 3, 11, 15, 0, tzinfo=UTC)


async def new_gathering(
    stack: Stack, title: str, *, capacity: int = 50, credit: bool = False
) -> dict[str, Any]:
    """An open online gathering with member and non-member tickets and two breakouts (fr, en)."""
    body: dict[str, Any] = {
        "title": {"en": title, "fr": f"{title} (fr)"},
        "description": {"en": "We share practice and cases.", "fr": "Nous partageons pratiques et cas."},
        "kind": "community_of_practice",
        "modality": "virtual",
        "starts_at": STARTS.isoformat(),
        "ends_at": (STARTS + timedelta(minutes=90)).isoformat(),
        "time_zone": "America/Halifax",
        "capacity": capacity,
        "join_url": "https://video.example.org/j/quarterly",
        "ticket_types": [
            {"kind": "member", "price_cents": 0},
            {"kind": "non_member", "price_cents": 2500},
        ],
    }
    if credit:
        body["credit_policy"] = {
            "hours": str(Decimal("1.5")),
            "minimum_attendance_fraction": "0.75",
            "category": "community_of_practice",
            "requires_feedback": False,
        }
    async with stack.registration.client() as client:
        made = await client.post("/gatherings", json=body)
        assert made.status_code == 201, made.text
        gathering: dict[str, Any] = made.json()
        breakouts = []
        for name, language in (("Groupe francophone", "fr"), ("English circle", "en")):
            added = await client.post(
                f"/gatherings/{gathering['id']}/breakouts",
                json={"name": {"en": name, "fr": name}, "language": language, "capacity": 15},
            )
            assert added.status_code == 201, added.text
            breakouts.append(added.json())
    gathering["breakouts"] = breakouts
    return gathering


def non_member(tag: str, language: str = "en") -> dict[str, Any]:
    return {
        "name": f"Alex {tag}",
        "email": f"alex.{tag}.{uuid.uuid4().hex[:6]}@example.org",
        "preferred_language": language,
        "ticket_type": "non_member",
        "profession": "Social worker",
        "regulatory_body": "Nova Scotia College of Social Workers",
        "region": "Nova Scotia",
        "attests_regulated_profession": True,
    }


async def buy(stack: Stack, gathering_id: str, person: dict[str, Any]) -> dict[str, Any]:
    """A registration made through registration's API (someone else taking a seat)."""
    async with stack.registration.client(role="public") as client:
        bought = await client.post(f"/gatherings/{gathering_id}/tickets", json=person)
        assert bought.status_code in (201, 202), bought.text
        answer: dict[str, Any] = bought.json()
    return answer


async def ticket_of(stack: Stack, gathering_id: str, email: str) -> dict[str, Any]:
    async with stack.registration.client() as client:
        found = await client.get(f"/gatherings/{gathering_id}/registrants", params={"q": email})
        [holder] = found.json()
    return dict(holder)


def links_in(email: EmailMessage, prefix: str) -> list[str]:
    """The links in an email's plain-text part that start with `prefix`."""
    text = str(email.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    return [word.rstrip(".,)") for word in text.split() if word.startswith(prefix)]


async def link_from_email(
    site: PublicSite, address: str, purpose: Purpose, *, subject: str = "", timeout: float = 60
) -> str:
    """The `purpose` link in the first email the stack's notifications sent `address` (whose subject
    contains `subject`), as the person would click it: it leads to this public site."""
    prefix = site.stack.public_url + PATHS[purpose]

    async def first() -> str | None:
        for email in site.stack.smtp.to(address):
            if subject in str(email["Subject"]) and (found := links_in(email, prefix)):
                return found[0]
        return None

    link = await eventually(first, lambda found: found is not None, timeout=timeout, what=f"{purpose} email")
    assert link is not None
    assert link.startswith(site.url)
    return link


def unsubscribe_header(site: PublicSite, email: EmailMessage, category: str) -> str | None:
    """The RFC 8058 one-click address of an email that carries one for `category`."""
    header = email["List-Unsubscribe"]
    if header is None or email["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
        return None
    url = str(header).strip().removeprefix("<").removesuffix(">")
    token = url.removeprefix(site.stack.public_url + PATHS[Purpose.UNSUBSCRIBE])
    return url if site.links.read(Purpose.UNSUBSCRIBE, token)["category"] == category else None
