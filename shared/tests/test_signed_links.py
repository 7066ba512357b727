"""Signed links name ids for one purpose and a bounded time; anything else is refused."""

from __future__ import annotations

import pytest
from itsdangerous.timed import TimestampSigner

from hearth_shared.signed_links import LIFETIMES, LinkRefused, MissingLinkKey, Purpose, SignedLinks

KEY = "k" * 40
OLD_KEY = "o" * 40


def links(*keys: str) -> SignedLinks:
    return SignedLinks(list(keys) or [KEY], "https://events.example.org/")


def test_a_link_reads_back_the_ids_it_names() -> None:
    url = links().url(Purpose.REGISTRATION, ticket="t-1")
    assert url.startswith("https://events.example.org/my/")
    token = url.rsplit("/", 1)[1]
    assert links().read(Purpose.REGISTRATION, token) == {"ticket": "t-1"}


def test_a_tampered_link_is_refused() -> None:
    token = links().token(Purpose.OFFER, entry="e-1")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(LinkRefused) as refused:
        links().read(Purpose.OFFER, tampered)
    assert refused.value.reason == "invalid"


def test_a_link_for_one_purpose_opens_no_other() -> None:
    token = links().token(Purpose.PREFERENCES, person="p-1")
    with pytest.raises(LinkRefused):
        links().read(Purpose.UNSUBSCRIBE, token)


def test_an_expired_link_is_refused_as_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    signed_at = 1_780_000_000
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
    token = links().token(Purpose.OFFER, entry="e-1")
    later = signed_at + int(LIFETIMES[Purpose.OFFER].total_seconds()) + 5
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    with pytest.raises(LinkRefused) as refused:
        links().read(Purpose.OFFER, token)
    assert refused.value.reason == "expired"


def test_links_signed_with_the_previous_key_still_open_after_rotation() -> None:
    token = links(OLD_KEY).token(Purpose.FEEDBACK, gathering="g", person="p")
    assert links(OLD_KEY, KEY).read(Purpose.FEEDBACK, token) == {"gathering": "g", "person": "p"}
    with pytest.raises(LinkRefused):
        links(KEY).read(Purpose.FEEDBACK, token)


def test_a_short_or_missing_key_is_refused_at_start() -> None:
    with pytest.raises(MissingLinkKey):
        SignedLinks(["short"], "https://x")
