"""Signed links: how a person on the public site is known. Every email carries links signed with
`HEARTH_LINK_KEY` for one purpose and a bounded time, naming ids (never an email); the gateway's
public pages read them back and refuse a tampered, expired or other-purpose link.

Notifications signs (`SignedLinks.url`), the gateway reads (`SignedLinks.read`). Keys rotate:
`HEARTH_LINK_KEY_PREVIOUS` (comma-separated) keeps older links readable while new ones use the
current key (itsdangerous signs with the last key of its list and accepts any).

    links = SignedLinks.from_env("https://events.example.org")
    links.url(Purpose.REGISTRATION, ticket="…")            # https://…/my/<token>
    links.read(Purpose.REGISTRATION, token)                 # {"ticket": "…"} or LinkRefused
"""

from __future__ import annotations

import os
from datetime import timedelta
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

KEY_VARIABLE = "HEARTH_LINK_KEY"
PREVIOUS_KEYS_VARIABLE = "HEARTH_LINK_KEY_PREVIOUS"
MIN_KEY_LENGTH = 32


class Purpose(StrEnum):
    """What a link lets its holder do; each has its own page and its own lifetime."""

    REGISTRATION = "registration"  # my registration: ticket, calendar, breakout, cancel  {ticket}
    OFFER = "offer"  # a waiting-list offer: accept or decline  {entry}
    FEEDBACK = "feedback"  # feedback after a gathering  {gathering, person}
    PREFERENCES = "preferences"  # email preferences  {person}
    UNSUBSCRIBE = "unsubscribe"  # RFC 8058 one-click opt-out of one category  {person, category}


PATHS: dict[Purpose, str] = {
    Purpose.REGISTRATION: "/my/",
    Purpose.OFFER: "/offer/",
    Purpose.FEEDBACK: "/feedback/",
    Purpose.PREFERENCES: "/email-preferences/",
    Purpose.UNSUBSCRIBE: "/unsubscribe/",
}

LIFETIMES: dict[Purpose, timedelta] = {
    Purpose.REGISTRATION: timedelta(days=400),  # a gathering can be sold a year ahead
    Purpose.OFFER: timedelta(days=14),  # the offer's own expiry is shorter and checked by registration
    Purpose.FEEDBACK: timedelta(days=90),
    Purpose.PREFERENCES: timedelta(days=400),
    Purpose.UNSUBSCRIBE: timedelta(days=400),
}


class LinkRefused(Exception):
    """The link was altered, signed for another purpose or with an unknown key, or has expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid": what the page tells the person


class MissingLinkKey(RuntimeError):
    """No key in the environment: set HEARTH_LINK_KEY (32 characters or more)."""


class SignedLinks:
    def __init__(self, keys: list[str], public_url: str) -> None:
        if not keys or any(len(key) < MIN_KEY_LENGTH for key in keys):
            raise MissingLinkKey(f"set {KEY_VARIABLE} to {MIN_KEY_LENGTH} random characters or more")
        self._keys = keys  # oldest first; the last one signs
        self.public_url = public_url.rstrip("/")

    @classmethod
    def from_env(cls, public_url: str) -> SignedLinks:
        previous = [key for key in os.environ.get(PREVIOUS_KEYS_VARIABLE, "").split(",") if key]
        return cls([*previous, os.environ.get(KEY_VARIABLE, "")], public_url)

    def _serializer(self, purpose: Purpose) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._keys, salt=f"hearth-link:{purpose.value}")

    def token(self, purpose: Purpose, **subject: str) -> str:
        return self._serializer(purpose).dumps(subject)

    def url(self, purpose: Purpose, **subject: str) -> str:
        return f"{self.public_url}{PATHS[purpose]}{self.token(purpose, **subject)}"

    def read(self, purpose: Purpose, token: str) -> dict[str, str]:
        """The ids the link names, or LinkRefused."""
        max_age = int(LIFETIMES[purpose].total_seconds())
        try:
            subject = self._serializer(purpose).loads(token, max_age=max_age)
        except SignatureExpired as expired:
            raise LinkRefused("expired") from expired
        except BadSignature as bad:
            raise LinkRefused("invalid") from bad
        if not isinstance(subject, dict) or not all(isinstance(v, str) for v in subject.values()):
            raise LinkRefused("invalid")
        return subject
