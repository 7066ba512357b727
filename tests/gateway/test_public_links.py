"""The public site's refusals and promises, over plain HTTP against the real gateway and
services: a tampered, expired or other-purpose link is refused with a page (never a 500, never a
change); the feedback link shows the form and nothing of anyone else's; a refused member ticket
says only that the membership could not be confirmed; the honeypot registers nothing; too many
registrations for one email get the 429 page; the calendar file is the gathering's."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from hearth_shared.signed_links import LIFETIMES, Purpose
from hearth_testing.infra import Infra
from hearth_testing.processes import ServiceProcess, free_port
from hearth_testing.waiting import eventually

from .conftest import Stack
from .public_site import (
    REGISTER_PER_EMAIL,
    PublicSite,
    buy,
    gateway_env,
    new_gathering,
    non_member,
    public_site_fixture,
    ticket_of,
)

public = public_site_fixture()
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_ATTEMPT = re.compile(r'name="attempt" value="([^"]+)"')


def _tampered(token: str) -> str:
    """The same link with one character of its signature changed (not the last: its low bits
    are base64 padding, and changing them changes nothing)."""
    kept = token[-5]
    return token[:-5] + ("A" if kept != "A" else "B") + token[-4:]


async def test_a_tampered_expired_or_other_purpose_link_is_refused_with_a_page(
    public: PublicSite, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    gathering = await new_gathering(stack, "Links")
    ticket = (await buy(stack, gathering["id"], non_member("links")))["ticket"]
    good = public.links.token(Purpose.REGISTRATION, ticket=ticket["id"])
    with monkeypatch.context() as past:  # signed longer ago than a registration link lives
        then = time.time() - LIFETIMES[Purpose.REGISTRATION].total_seconds() - 60
        past.setattr(time, "time", lambda: then)
        expired = public.links.token(Purpose.REGISTRATION, ticket=ticket["id"])
    other_purpose = public.links.token(
        Purpose.FEEDBACK, gathering=gathering["id"], person=ticket["person_id"]
    )
    not_an_id = public.links.token(Purpose.REGISTRATION, ticket="../../gatherings")
    async with public.client() as client:
        assert (await client.get(f"/my/{good}")).status_code == 200
        for token, status, heading in (
            (_tampered(good), 400, "This link does not work"),
            (expired, 410, "This link has expired"),
            (other_purpose, 400, "This link does not work"),
            (not_an_id, 400, "This link does not work"),
            ("not-a-link-at-all", 400, "This link does not work"),
        ):
            page = await client.get(f"/my/{token}")
            assert (page.status_code, heading in page.text) == (status, True), (token, page.status_code)
            cancelled = await client.post(f"/my/{token}/cancel")
            assert cancelled.status_code == status
        for path in ("/offer/", "/feedback/", "/email-preferences/", "/unsubscribe/"):
            assert (await client.get(f"{path}{_tampered(good)}")).status_code == 400, path
    async with stack.registration.client() as staff:
        # nothing changed: still as bought (a priced non-member ticket is held awaiting payment)
        now = (await staff.get(f"/tickets/{ticket['id']}")).json()["status"]
        assert now == ticket["status"] != "cancelled"


async def test_the_feedback_link_shows_the_form_and_nothing_of_anyone_elses(
    public: PublicSite, stack: Stack
) -> None:
    gathering = await new_gathering(stack, "Feedback privacy")
    first, second = non_member("first"), non_member("second")
    first_id = (await buy(stack, gathering["id"], first))["ticket"]["person_id"]
    second_id = (await buy(stack, gathering["id"], second))["ticket"]["person_id"]
    async with stack.registration.client() as staff:
        present = await staff.post(
            f"/gatherings/{gathering['id']}/check-ins", json={"person_ids": [first_id, second_id]}
        )
        assert present.status_code == 200, present.text
        given = await staff.post(
            f"/gatherings/{gathering['id']}/feedback",
            json={"email": first["email"], "benefit_rating": 2, "comments": "A private remark about Room 4"},
        )
        assert given.status_code == 201, given.text
    token = public.links.token(Purpose.FEEDBACK, gathering=gathering["id"], person=second_id)
    async with public.client() as client:
        page = await client.get(f"/feedback/{token}")
    assert page.status_code == 200
    assert "How much did this help you?" in page.text
    assert 'name="benefit_rating"' in page.text
    for theirs in ("A private remark about Room 4", first["name"], first["email"], first_id):
        assert theirs not in page.text
    assert 'value="2" checked' not in page.text  # the other person's rating is not pre-filled


async def _form(client: httpx.AsyncClient, gathering_id: str) -> dict[str, str]:
    page = await client.get(f"/events/{gathering_id}/register")
    assert page.status_code == 200, page.text
    csrf, attempt = _CSRF.search(page.text), _ATTEMPT.search(page.text)
    assert csrf
    assert attempt
    return {"csrf": csrf.group(1), "attempt": attempt.group(1)}


async def test_a_refused_member_ticket_says_only_that_the_membership_could_not_be_confirmed(
    public: PublicSite, stack: Stack
) -> None:
    gathering = await new_gathering(stack, "Members only")
    async with public.client() as client:
        form = await _form(client, gathering["id"])
        sent = form | {
            "name": "Not a member",
            "email": f"nobody.{uuid.uuid4().hex[:6]}@example.org",
            "preferred_language": "en",
            "ticket_type": "member",
        }
        page = await client.post(f"/events/{gathering['id']}/register", data=sent)
    assert page.status_code == 422
    assert "We could not confirm a membership for this email" in page.text
    for status in ("not on the membership register", "lapsed", "suspended", "active membership"):
        assert status not in page.text


async def test_the_honeypot_registers_nothing_and_a_long_form_is_refused(
    public: PublicSite, stack: Stack
) -> None:
    gathering = await new_gathering(stack, "Honeypot")
    person = non_member("bot")
    async with public.client() as client:
        form = await _form(client, gathering["id"])
        fields = {
            k: ("yes" if v is True else v) for k, v in person.items() if k != "attests_regulated_profession"
        }
        sent = form | fields | {"attests": "yes", "website": "https://spam.example"}
        page = await client.post(f"/events/{gathering['id']}/register", data=sent)
        assert page.status_code == 200
        assert "Thank you for registering" in page.text
        huge = await client.post(
            f"/events/{gathering['id']}/register", data=form | {"comments": "x" * 40_000}
        )
        assert huge.status_code == 413
        assert "This form is too long" in huge.text
    async with stack.registration.client() as staff:
        holders = (await staff.get(f"/gatherings/{gathering['id']}/registrants")).json()
    assert holders == []


async def _chunked(form: dict[str, str]) -> AsyncIterator[bytes]:
    encoded = urlencode(form).encode()
    for start in range(0, len(encoded), 64):
        yield encoded[start : start + 64]


async def test_a_chunked_form_over_the_limit_is_refused_as_it_arrives(
    public: PublicSite, stack: Stack
) -> None:
    """No Content-Length to check: the body is counted as it streams in."""
    gathering = await new_gathering(stack, "Chunked")

    async def chunks() -> AsyncIterator[bytes]:
        yield b"name=Alex&comments="
        for _ in range(40):
            yield b"x" * 1024

    token = public.links.token(Purpose.REGISTRATION, ticket=str(uuid.uuid4()))
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    async with public.client(headers=form_type) as client:
        form = await _form(client, gathering["id"])
        register = client.build_request("POST", f"/events/{gathering['id']}/register", content=chunks())
        assert "content-length" not in register.headers
        refused = await client.send(register)
        breakout = await client.post(f"/my/{token}/breakout", content=chunks())
        small = await client.post(f"/events/{gathering['id']}/register", content=_chunked(form))
    assert refused.status_code == breakout.status_code == 413
    assert "This form is too long" in refused.text
    assert small.status_code == 422, small.text  # a small chunked form is read as usual
    assert "This form is too long" not in small.text


async def test_too_many_registrations_for_one_email_get_the_429_page(
    public: PublicSite, stack: Stack
) -> None:
    gathering = await new_gathering(stack, "Throttled")
    email = f"hammer.{uuid.uuid4().hex[:6]}@example.org"
    async with public.client(headers={"accept-language": "fr-CA"}) as client:
        form = await _form(client, gathering["id"])
        answers = [
            (
                await client.post(f"/events/{gathering['id']}/register", data=form | {"email": email})
            ).status_code
            for _ in range(REGISTER_PER_EMAIL + 1)
        ]
        page = await client.post(f"/events/{gathering['id']}/register", data=form | {"email": email})
    assert answers == [422] * REGISTER_PER_EMAIL + [429]
    assert page.status_code == 429
    assert "Trop de demandes" in page.text
    assert page.headers["retry-after"] == "3600"


async def test_the_calendar_file_is_the_gatherings_and_the_join_link_only_for_its_holder(
    public: PublicSite, stack: Stack
) -> None:
    gathering = await new_gathering(stack, "Calendar")
    ticket = (await buy(stack, gathering["id"], non_member("cal")))["ticket"]
    token = public.links.token(Purpose.REGISTRATION, ticket=ticket["id"])
    async with public.client() as client:
        unpaid = await client.get(f"/my/{token}/calendar.ics")
        async with stack.registration.client() as staff:  # a held ticket carries no join link
            paid = await staff.post(f"/tickets/{ticket['id']}/payment", json={"method": "e_transfer"})
            assert paid.status_code == 200, paid.text
        ics = await client.get(f"/my/{token}/calendar.ics")
        listing = await client.get("/events")
    assert "video.example.org" not in unpaid.text.replace("\r\n ", "")
    assert ics.headers["content-type"].startswith("text/calendar")
    body = ics.text.replace("\r\n ", "")
    assert f"UID:{gathering['id']}@hearth" in body
    assert "SUMMARY:Calendar" in body
    assert "DTSTART;TZID=America/Halifax:20270311T110000" in body
    assert "https://video.example.org/j/quarterly" in body
    assert "Calendar" in listing.text
    assert "video.example.org" not in listing.text


async def test_a_ticket_holder_changes_breakout_from_the_link(public: PublicSite, stack: Stack) -> None:
    gathering = await new_gathering(stack, "Breakout change")
    ticket = (await buy(stack, gathering["id"], non_member("move")))["ticket"]
    french = gathering["breakouts"][0]["id"]
    token = public.links.token(Purpose.REGISTRATION, ticket=ticket["id"])
    async with public.client() as client:
        moved = await client.post(f"/my/{token}/breakout", data={"breakout_id": french})
        assert moved.status_code == 303, moved.text
    async with stack.registration.client() as staff:
        assert (await staff.get(f"/tickets/{ticket['id']}")).json()["breakout_id"] == french


async def _waiting_line(stack: Stack, gathering_id: str) -> list[dict[str, Any]]:
    async with stack.registration.client() as staff:
        return list((await staff.get(f"/gatherings/{gathering_id}/waitlist")).json())


async def test_declining_an_offer_from_its_link_passes_the_seat_to_the_next_in_line(
    public: PublicSite, stack: Stack
) -> None:
    gathering = await new_gathering(stack, "Declined", capacity=1)
    seat = (await buy(stack, gathering["id"], non_member("seat")))["ticket"]
    first = (await buy(stack, gathering["id"], non_member("first")))["waitlist_entry"]
    second = (await buy(stack, gathering["id"], non_member("second")))["waitlist_entry"]
    async with stack.registration.client() as staff:
        assert (await staff.post(f"/tickets/{seat['id']}/cancel")).status_code == 200
    token = public.links.token(Purpose.OFFER, entry=first["id"])
    async with public.client() as client:
        assert (await client.get(f"/offer/{token}")).status_code == 200  # reading changes nothing
        assert {e["id"]: e["status"] for e in await _waiting_line(stack, gathering["id"])}[
            first["id"]
        ] == "offered"
        declined = await client.post(f"/offer/{token}/decline")
    assert declined.status_code == 200
    assert "You declined the seat" in declined.text
    line = await eventually(
        lambda: _waiting_line(stack, gathering["id"]),
        lambda entries: {e["id"]: e["status"] for e in entries}.get(second["id"]) == "offered",
        timeout=20,
    )
    assert {e["id"]: e["status"] for e in line}[first["id"]] == "withdrawn"


async def test_the_offer_page_shows_the_held_seat_and_its_expiry(public: PublicSite, stack: Stack) -> None:
    gathering = await new_gathering(stack, "Offer details", capacity=1)
    seat = (await buy(stack, gathering["id"], non_member("seat")))["ticket"]
    entry = (await buy(stack, gathering["id"], non_member("next")))["waitlist_entry"]
    async with stack.registration.client() as staff:
        assert (await staff.post(f"/tickets/{seat['id']}/cancel")).status_code == 200
    async with public.client() as client:
        page = await client.get(f"/offer/{public.links.token(Purpose.OFFER, entry=entry['id'])}")
    assert "Offer details" in page.text
    assert "We hold this seat for you until" in page.text


async def _feedback_link(public: PublicSite, stack: Stack, title: str, who: str) -> tuple[str, str, str]:
    """A gathering someone attended and their feedback link: (the gathering's id, theirs, the link)."""
    gathering = await new_gathering(stack, title)
    person = (await buy(stack, gathering["id"], non_member(who)))["ticket"]["person_id"]
    async with stack.registration.client() as staff:
        await staff.post(f"/gatherings/{gathering['id']}/check-ins", json={"person_ids": [person]})
    return (
        gathering["id"],
        person,
        public.links.token(Purpose.FEEDBACK, gathering=gathering["id"], person=person),
    )


async def test_feedback_from_the_link_is_saved_and_comes_back_to_edit(
    public: PublicSite, stack: Stack
) -> None:
    gathering_id, person, token = await _feedback_link(public, stack, "Feedback saved", "kind")
    sent = {
        "benefit_rating": "4",
        "comments": "Useful cases",
        "wish_peer_supervision": "yes",
        "wish_circle": "yes",
        "circle_area": "older_adults",
    }
    async with public.client() as client:
        saved = await client.post(f"/feedback/{token}", data=sent)
        assert saved.status_code == 303, saved.text
        again = await client.get(f"/feedback/{token}")
    assert 'value="4" checked' in again.text
    assert "Useful cases" in again.text
    assert '<option value="older_adults" selected>Older adults</option>' in again.text
    async with stack.registration.client() as staff:
        [given] = (await staff.get(f"/gatherings/{gathering_id}/feedback")).json()
    assert (given["person_id"], given["benefit_rating"]) == (person, 4)
    assert [w["interest"] for w in given["follow_up"]] == ["peer_supervision", "practice_area_circle"]
    assert given["follow_up"][1]["practice_area"] == "older_adults"


async def test_a_circle_area_not_in_the_list_is_refused_in_both_languages(
    public: PublicSite, stack: Stack
) -> None:
    gathering_id, _, token = await _feedback_link(public, stack, "Feedback circle area", "typed")
    sent = {"benefit_rating": "4", "wish_circle": "yes", "circle_area": "Logement et pauvreté"}
    async with public.client() as client:
        client.cookies.set("hearth_lang", "en")
        english = await client.post(f"/feedback/{token}", data=sent)
    async with public.client() as client:
        client.cookies.set("hearth_lang", "fr")
        french = await client.post(f"/feedback/{token}", data=sent)
    assert english.status_code == french.status_code == 422
    assert "Choose the practice area of the circle from the list." in english.text
    assert '<option value="housing_and_poverty">Housing and poverty</option>' in english.text
    assert "Choisissez dans la liste le domaine de pratique du cercle." in french.text
    assert '<option value="housing_and_poverty">Logement et pauvreté</option>' in french.text
    async with stack.registration.client() as staff:
        assert (await staff.get(f"/gatherings/{gathering_id}/feedback")).json() == []


async def test_feedback_after_it_closed_says_so_in_both_languages(public: PublicSite, stack: Stack) -> None:
    gathering = await new_gathering(stack, "Feedback closed")
    person = (await buy(stack, gathering["id"], non_member("late", language="fr")))["ticket"]["person_id"]
    async with stack.registration.client() as staff:
        await staff.post(f"/gatherings/{gathering['id']}/check-ins", json={"person_ids": [person]})
        cancelled = await staff.post(f"/gatherings/{gathering['id']}/status", json={"status": "cancelled"})
        assert cancelled.status_code == 200, cancelled.text
    token = public.links.token(Purpose.FEEDBACK, gathering=gathering["id"], person=person)
    sent = {"benefit_rating": "4", "comments": "Late"}
    async with public.client() as client:
        client.cookies.set("hearth_lang", "en")
        english = await client.post(f"/feedback/{token}", data=sent)
    async with public.client(headers={"accept-language": "fr-CA"}) as client:
        french = await client.post(f"/feedback/{token}", data=sent)
    assert english.status_code == french.status_code == 409
    assert "Feedback for this gathering is closed" in english.text
    assert "Les commentaires pour cette rencontre sont fermés" in french.text
    async with stack.registration.client() as staff:
        assert (await staff.get(f"/gatherings/{gathering['id']}/feedback")).json() == []


async def _known_to_notifications(stack: Stack, person: str) -> None:
    async with stack.notifications.client() as staff:
        await eventually(
            lambda: staff.get(f"/people/{person}/preferences"), lambda r: r.status_code == 200, timeout=30
        )


async def test_email_preferences_are_saved_with_the_digest_and_language(
    public: PublicSite, stack: Stack
) -> None:
    gathering = await new_gathering(stack, "Preferences")
    person = (await buy(stack, gathering["id"], non_member("prefs")))["ticket"]["person_id"]
    await _known_to_notifications(stack, person)
    token = public.links.token(Purpose.PREFERENCES, person=person)
    chosen = {"receive_feedback": "yes", "receive_groups": "yes", "digest": "weekly", "language": "fr"}
    async with public.client() as client:
        saved = await client.post(f"/email-preferences/{token}", data=chosen)
        assert saved.status_code == 303, saved.text
    async with stack.notifications.client() as staff:
        found = (await staff.get(f"/people/{person}/preferences")).json()
    assert sorted(found["opted_out"]) == ["news", "reminders"]
    assert (found["digest"], found["language"]) == ("weekly", "fr")


async def test_one_click_unsubscribe_works_as_a_mail_client_posts_it(
    public: PublicSite, stack: Stack
) -> None:
    gathering = await new_gathering(stack, "One click")
    person = (await buy(stack, gathering["id"], non_member("click")))["ticket"]["person_id"]
    await _known_to_notifications(stack, person)
    token = public.links.token(Purpose.UNSUBSCRIBE, person=person, category="reminders")
    async with httpx.AsyncClient(base_url=public.url) as mail_client:  # no cookie, no form token
        answer = await mail_client.post(
            f"/unsubscribe/{token}",
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 200
    async with stack.notifications.client() as staff:
        assert "reminders" in (await staff.get(f"/people/{person}/preferences")).json()["opted_out"]


async def test_a_paid_ticket_is_shown_held_awaiting_payment(public: PublicSite, stack: Stack) -> None:
    gathering = await new_gathering(stack, "Paid")
    person = non_member("pays")
    async with public.client() as client:
        form = await _form(client, gathering["id"])
        fields = {k: v for k, v in person.items() if k != "attests_regulated_profession"}
        page = await client.post(
            f"/events/{gathering['id']}/register", data=form | fields | {"attests": "yes"}
        )
        assert "Your seat is held" in page.text
        ticket = await ticket_of(stack, gathering["id"], person["email"])
        mine = await client.get(f"/my/{public.links.token(Purpose.REGISTRATION, ticket=ticket['ticket_id'])}")
    assert "Held awaiting payment until" in mine.text


async def test_the_gateways_log_keeps_the_page_of_a_link_but_never_its_token(
    public: PublicSite, stack: Stack
) -> None:
    gathering = await new_gathering(stack, "Quiet logs")
    ticket = (await buy(stack, gathering["id"], non_member("logs")))["ticket"]
    token = public.links.token(Purpose.REGISTRATION, ticket=ticket["id"])
    async with public.client() as client:
        assert (await client.get(f"/my/{token}")).status_code == 200
        assert (await client.get(f"/my/{token}/calendar.ics")).status_code == 200
    logged = await eventually(
        lambda: asyncio.to_thread(public.gateway.log_path.read_text),
        lambda text: "/my/<link>/calendar.ics" in text,
        timeout=10,
    )
    assert token not in logged


async def test_a_gateway_without_a_link_key_serves_the_site_and_says_links_are_not_available(
    stack: Stack, public: PublicSite, infra: Infra, tmp_path: Path
) -> None:
    token = public.links.token(Purpose.REGISTRATION, ticket=str(uuid.uuid4()))
    keyless = ServiceProcess(
        "gateway", gateway_env(stack, infra, free_port(), HEARTH_LINK_KEY=""), tmp_path / "keyless.log"
    )
    await keyless.start(timeout=90)
    try:
        async with httpx.AsyncClient(base_url=keyless.url, timeout=30) as client:
            events = await client.get("/events")
            link = await client.get(f"/my/{token}")
    finally:
        await keyless.stop()
    assert events.status_code == 200
    assert link.status_code == 503
    assert "This page is not available yet" in link.text


async def test_a_link_page_is_in_its_persons_language_unless_the_visitor_chose_one(
    public: PublicSite, stack: Stack
) -> None:
    gathering = await new_gathering(stack, "Langue")
    ticket = (await buy(stack, gathering["id"], non_member("langue", language="fr")))["ticket"]
    token = public.links.token(Purpose.REGISTRATION, ticket=ticket["id"])
    english_browser = {"Accept-Language": "en-CA,en;q=0.9"}
    async with public.client() as client:
        french = await client.get(f"/my/{token}", headers=english_browser)
    async with public.client() as client:
        client.cookies.set("hearth_lang", "en")
        chosen = await client.get(f"/my/{token}", headers=english_browser)
    assert french.status_code == chosen.status_code == 200, french.text
    assert '<html lang="fr-CA">' in french.text  # (the switch's "Français" is always lang="fr-CA")
    assert '<html lang="en-CA">' in chosen.text
