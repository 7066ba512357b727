"""The public site's walk, in a real browser (Debian's Chromium through Playwright) at a phone's
width and in the visitor's own zone (Europe/Paris), against the real gateway and services — in
English, then the same in French: find the quarterly gathering (what the listing says of it:
online without the link, prices, seats left, breakouts, its time and the visitor's); register
(the form's errors; a member ticket the register cannot confirm; then as a member choosing the
French breakout); open *my registration* from the link in the confirmation email (read from the
stack's SMTP sink), add it to the calendar, the preferences page from the email's footer,
cancel; as a non-member, a paid ticket held (the page, the email, *my registration*) until the
payment system's event confirms it; join a full gathering's waiting list and accept the seat
from the offer email's link, paid by the payment system's event; a reminder's List-Unsubscribe
page and its one-click POST (then no more reminders); after the gathering, feedback from the
feedback-request email's link; verify a certificate (a revoked one, and a code that is no
certificate's); a tampered link; too many requests. axe-core checks every page (no serious or
critical WCAG A/AA violation) and every page is saved to
docs/screenshots/public-<language>-<page>.png."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection
from playwright.async_api import Browser, Page, ViewportSize, expect

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import (
    CertificateIssued,
    MembershipStatus,
    MemberUpserted,
    PaymentReceived,
)
from hearth_shared.messaging import Names
from hearth_shared.signed_links import PATHS, Purpose
from hearth_testing.broker import checked as contract_checked
from hearth_testing.broker import collect, publish_event, watch
from hearth_testing.browser import describe, serious_violations
from hearth_testing.waiting import eventually

from .conftest import Stack
from .public_site import (
    REGISTER_PER_EMAIL,
    PublicSite,
    buy,
    link_from_email,
    new_gathering,
    non_member,
    public_site_fixture,
    ticket_of,
    unsubscribe_header,
)

public = public_site_fixture()
DURATION = timedelta(minutes=90)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = ViewportSize(width=390, height=844)
WORDS = {
    "en": {
        "events": "Upcoming gatherings",
        "register": "Register",
        "problem": "There is a problem",
        "refused": "We could not confirm a membership for this email",
        "registered": "You are registered",
        "mine": "My registration",
        "cancel": "Cancel my registration",
        "cancelled": "Your registration is cancelled.",
        "waitlisted": "You are on the waiting list",
        "held": "A seat is held for you",
        "accept": "Accept the seat",
        "accepted": "Your place is confirmed",
        "see_mine": "See my registration",
        "confirmed": "Confirmed",
        "certificate_pdf": "Download the certificate (PDF)",
        "awaiting": "Held awaiting payment",
        "seat_held": "Your seat is held",
        "held_subject": "Your place is held until payment",
        "revoked": "This certificate was revoked.",
        "seats_left": "50 seats left",
        "full": "Full: you can join the waiting list",
        "online": "Online — the link is sent to ticket holders",
        "your_time": "Your time:",
        "feedback": "How much did this help you?",
        "preferences": "Your email preferences",
        "unsubscribe": "Unsubscribe",
        "verify_nav": "Verify a certificate",
        "code": "Certificate code",
        "verify": "Verify",
        "valid": "This certificate is valid.",
        "missing": "No certificate has this code.",
        "bad_link": "This link does not work",
        "too_many": "Too many requests",
        "name": "Your name",
        "email": "Email address",
        "profession": "Profession",
        "body": "Regulatory body",
        "region": "Province, territory or country",
        "attests": "I practise a regulated profession",
    },
    "fr": {
        "events": "Rencontres à venir",
        "register": "S’inscrire",
        "problem": "Il y a un problème",
        "refused": "Nous n’avons pas pu confirmer une adhésion pour ce courriel",
        "registered": "Vous êtes inscrit",
        "mine": "Mon inscription",
        "cancel": "Annuler mon inscription",
        "cancelled": "Votre inscription est annulée.",
        "waitlisted": "Vous êtes sur la liste d’attente",
        "held": "Une place vous est réservée",
        "accept": "Accepter la place",
        "accepted": "Votre place est confirmée",
        "see_mine": "Voir mon inscription",
        "confirmed": "Confirmée",
        "certificate_pdf": "Télécharger l’attestation (PDF)",
        "awaiting": "Réservée en attente du paiement",
        "seat_held": "Votre place est réservée",
        "held_subject": "Votre place est réservée en attendant le paiement",
        "revoked": "Cette attestation a été révoquée.",
        "seats_left": "50 places restantes",
        "full": "Complet : vous pouvez vous inscrire sur la liste d’attente",
        "online": "En ligne — le lien est envoyé aux détenteurs de billets",
        "your_time": "Votre heure :",
        "feedback": "À quel point cela vous a-t-il aidé?",
        "preferences": "Vos préférences de courriel",
        "unsubscribe": "Se désabonner",
        "verify_nav": "Vérifier une attestation",
        "code": "Code de l’attestation",
        "verify": "Vérifier",
        "valid": "Cette attestation est valide.",
        "missing": "Aucune attestation ne porte ce code.",
        "bad_link": "Ce lien ne fonctionne pas",
        "too_many": "Trop de demandes",
        "name": "Votre nom",
        "email": "Adresse courriel",
        "profession": "Profession",
        "body": "Organisme de réglementation",
        "region": "Province, territoire ou pays",
        "attests": "J’exerce une profession réglementée",
    },
}


async def checked(page: Page, language: str, name: str) -> None:
    """axe-core on the page as it stands, nothing wider than the phone, and its screenshot."""
    found = await serious_violations(page)
    assert not found, f"{page.url}:\n{describe(found)}"
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a phone"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"public-{language}-{name}.png", full_page=True)


async def _member(stack: Stack, amqp: AbstractRobustConnection, language: str) -> dict[str, str]:
    """A member on the register (as the membership register announces one), known to registration."""
    tag = uuid.uuid4().hex[:6]
    member = MemberUpserted(
        member_id=f"M-{tag}",
        registration_number=f"NS-{tag}",
        name=f"Camille {tag}",
        email=f"camille.{tag}@example.org",
        preferred_language=language,
        status=MembershipStatus.ACTIVE,
        changed_at=datetime.now(UTC),
    )
    names = Names(stack.name_prefix, "registration")
    await publish_event(amqp, names, new_event(member, source="/membership-register"))
    probe = await new_gathering(stack, f"Probe {tag}")
    body = {"name": member.name, "email": member.email, "ticket_type": "member"}
    async with stack.registration.client(role="public") as client:
        await eventually(
            lambda: client.post(f"/gatherings/{probe['id']}/tickets", json=body),
            lambda answer: answer.status_code == 201,
            timeout=30,
        )
    return {"name": member.name, "email": member.email}


async def _issued(stack: Stack, amqp: AbstractRobustConnection, tag: str) -> dict[str, str]:
    """A certificate credits issued for someone checked in at a gathering with CPD credit."""
    gathering = await new_gathering(stack, f"Certified gathering {tag}", credit=True)
    person = non_member(tag)
    holder = (await buy(stack, gathering["id"], person))["ticket"]["person_id"]
    watcher = await watch(amqp, Names(stack.name_prefix, "credits"), CertificateIssued)
    async with stack.registration.client() as staff:
        present = await staff.post(f"/gatherings/{gathering['id']}/check-ins", json={"person_ids": [holder]})
        assert present.status_code == 200, present.text
    issued = [data for _, data in contract_checked(await collect(watcher, 1, timeout=60))]
    return {
        "code": issued[0].verification_code,
        "holder": person["name"],
        "email": person["email"],
        "person_id": holder,
        "gathering_id": gathering["id"],
    }


@pytest.fixture(scope="module")
async def certificate(stack: Stack, amqp: AbstractRobustConnection) -> dict[str, str]:
    return await _issued(stack, amqp, "certified")


@pytest.fixture(scope="module")
async def revoked(stack: Stack, amqp: AbstractRobustConnection) -> dict[str, str]:
    """A certificate revoked when staff took its holder's check-in back (credits reversed the award)."""
    issued = await _issued(stack, amqp, "revoked")
    async with stack.registration.client() as staff:
        undone = await staff.post(
            f"/gatherings/{issued['gathering_id']}/check-ins/{issued['person_id']}/undo"
        )
        assert undone.status_code == 200, undone.text
    async with stack.credits.client() as staff:
        await eventually(
            lambda: staff.get(f"/verify/{issued['code']}"),
            lambda r: r.json()["status"] == "revoked",
            timeout=60,
            what="the certificate revoked",
        )
    return issued


LISTED = {  # a gathering's ticket prices and breakouts, as the listing gives them
    "en": [
        "Member: free",
        "Non-member: $25.00",
        "Groupe francophone (in French)",
        "English circle (in English)",
    ],
    "fr": [
        "Membre: gratuit",
        "Non-membre: 25,00 $",
        "Groupe francophone (en français)",
        "English circle (en anglais)",
    ],
}
VISITOR_ZONE = "Europe/Paris"  # the browser's: 15:00 UTC is 11:00 in Halifax, 16:00 for the visitor


async def _check_listing(page: Page, gathering: dict[str, Any], language: str) -> None:
    """The listing's facts for a gathering with seats: its time in its own zone and the visitor's,
    online without the join link, each ticket's price, the seats left, the breakouts."""
    words = WORDS[language]
    article = page.locator(f"article[aria-labelledby='g-{gathering['id']}']")
    local = article.locator(".local-time")
    await expect(local).to_contain_text(words["your_time"])  # the script has run
    facts = " ".join((await article.inner_text()).split())  # (no-break spaces as spaces)
    for fact in (words["online"], words["seats_left"], *LISTED[language]):
        assert fact in facts, f"{fact!r} not in {facts!r}"
    assert "11:00" in facts  # the gathering's own zone
    assert re.search(r"\b16(:|\s*h\s*)00\b", await local.inner_text()), await local.inner_text()
    assert "video.example.org" not in await page.content()  # the join link is never public


async def _register(page: Page, words: dict[str, str], gathering: dict[str, Any], language: str) -> None:
    await page.locator(f"a[href='/events/{gathering['id']}/register']").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(gathering["title"][language])
    await checked(page, language, "register")
    await page.get_by_role("button", name=words["register"]).click()  # empty: the error summary
    await expect(page.get_by_role("heading", name=words["problem"])).to_be_visible()
    await checked(page, language, "register-errors")


async def _walk_registration(
    page: Page, public: PublicSite, member: dict[str, str], language: str
) -> dict[str, Any]:
    words = WORDS[language]
    gathering = await new_gathering(public.stack, f"Quarterly community of practice {language}")
    await page.goto(f"{public.url}/events")
    if language == "fr":
        await page.get_by_role("link", name="Français").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["events"])
    await expect(page.get_by_role("heading", name=gathering["title"][language])).to_be_visible()
    await _check_listing(page, gathering, language)
    await checked(page, language, "events")
    await _register(page, words, gathering, language)
    await page.get_by_label(words["name"]).fill(member["name"])
    await page.get_by_label(words["email"]).fill(f"stranger.{uuid.uuid4().hex[:6]}@example.org")
    await page.locator("#ticket_type").check()  # the member ticket: the register does not know this email
    await page.get_by_role("button", name=words["register"]).click()
    await expect(page.locator(".error-summary")).to_contain_text(words["refused"])
    await checked(page, language, "register-refused")
    await page.get_by_label(words["email"]).fill(member["email"])
    await page.locator("#breakout_id").select_option(gathering["breakouts"][0]["id"])  # Groupe francophone
    await page.get_by_role("button", name=words["register"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["registered"])
    await checked(page, language, "registered")
    return gathering


async def _walk_my_registration(
    page: Page, public: PublicSite, gathering: dict[str, Any], email: str, language: str
) -> str:
    """*My registration* opened from the confirmation email's link; the calendar file. Returns the
    link's token."""
    words = WORDS[language]
    holder = await ticket_of(public.stack, gathering["id"], email)
    assert holder["breakout_id"] == gathering["breakouts"][0]["id"]
    title = gathering["title"]["en"]  # in both languages' subjects
    link = await link_from_email(public, email, Purpose.REGISTRATION, subject=title)
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["mine"])
    await expect(page.locator(".facts")).to_contain_text("Groupe francophone")
    await checked(page, language, "my-registration")
    async with page.expect_download() as download:
        await page.get_by_role("link", name=re.compile(r"\.ics")).click()
    saved = await (await download.value).path()
    ics = await asyncio.to_thread(Path(saved).read_text)
    assert "BEGIN:VCALENDAR" in ics
    assert f"UID:{gathering['id']}@hearth" in ics
    preferences = await link_from_email(public, email, Purpose.PREFERENCES, subject=title)  # the footer's
    await page.goto(preferences)
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["preferences"])
    await checked(page, language, "email-preferences")
    return link.removeprefix(f"{public.url}{PATHS[Purpose.REGISTRATION]}")


SOON = timedelta(seconds=12)  # time for a moved gathering to reach notifications before a send is due


async def _move(public: PublicSite, gathering_id: str, starts_at: datetime) -> None:
    """Staff move the gathering (notifications plans its reminders and feedback request again)."""
    times = {"starts_at": starts_at.isoformat(), "ends_at": (starts_at + DURATION).isoformat()}
    async with public.stack.registration.client() as staff:
        moved = await staff.patch(f"/gatherings/{gathering_id}", json=times)
    assert moved.status_code == 200, moved.text


async def _walk_reminders(
    page: Page, public: PublicSite, gathering: dict[str, Any], email: str, person: str, language: str
) -> None:
    """A reminder arrives; its List-Unsubscribe link shows the page, and the one-click POST a mail
    client makes from the header opts out of reminders: the next one is not sent."""

    async def one_click() -> list[str]:
        found = (unsubscribe_header(public, m, "reminders") for m in public.stack.smtp.to(email))
        return [url for url in found if url]

    await _move(public, gathering["id"], datetime.now(UTC) + timedelta(hours=1) + SOON)  # the 1 h one
    [url] = await eventually(one_click, timeout=60, what="a reminder with List-Unsubscribe")
    await page.goto(url)
    await expect(page.get_by_role("button", name=WORDS[language]["unsubscribe"])).to_be_visible()
    await checked(page, language, "unsubscribe")
    async with httpx.AsyncClient() as mail_client:  # no cookie, no form token: the link is the proof
        answer = await mail_client.post(
            url,
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 200, answer.text
    await _move(public, gathering["id"], datetime.now(UTC) + timedelta(hours=1) + SOON)
    async with public.stack.notifications.client() as staff:
        await eventually(
            lambda: staff.get("/deliveries", params={"person_id": person, "template": "reminder"}),
            lambda r: [d["status"] for d in r.json()].count("suppressed") == 1,
            timeout=60,
            what="the second reminder suppressed",
        )
    assert len(await one_click()) == 1  # no more reminders


async def _walk_feedback(
    page: Page, public: PublicSite, gathering: dict[str, Any], email: str, person: str, language: str
) -> None:
    """After the gathering (moved into the past, the feedback request due an hour after its end),
    the attendee checked in gets the request and gives feedback from its link, wishing for a
    peer-supervision group."""
    ends_at = datetime.now(UTC) - timedelta(hours=1) + SOON
    await _move(public, gathering["id"], ends_at - DURATION)
    async with public.stack.registration.client() as staff:
        present = await staff.post(f"/gatherings/{gathering['id']}/check-ins", json={"person_ids": [person]})
        assert present.status_code == 200, present.text
    await page.goto(await link_from_email(public, email, Purpose.FEEDBACK))
    await expect(page.get_by_role("group", name=WORDS[language]["feedback"])).to_be_visible()
    await checked(page, language, "feedback")
    await page.locator("input[name='benefit_rating'][value='5']").check()
    await page.locator("input[name='wish_peer_supervision']").check()
    await page.locator("form[action^='/feedback/'] button[type='submit']").click()
    await expect(page.get_by_role("status")).to_be_visible()
    await checked(page, language, "feedback-saved")
    async with public.stack.registration.client() as staff:
        given = await staff.get(f"/gatherings/{gathering['id']}/feedback/{person}")
    assert given.status_code == 200, given.text
    assert "peer_supervision" in given.text


async def _register_as_non_member(page: Page, tag: str, language: str) -> dict[str, Any]:
    """Fills the open registration form as a non-member (its ticket) and sends it."""
    words, someone = WORDS[language], non_member(tag, language)
    await page.get_by_label(words["name"]).fill(someone["name"])
    await page.get_by_label(words["email"]).fill(someone["email"])
    await page.locator("#ticket_type-non_member").check()
    await page.get_by_label(words["profession"], exact=True).fill(someone["profession"])
    await page.get_by_label(words["body"], exact=True).fill(someone["regulatory_body"])
    await page.get_by_label(words["region"]).fill(someone["region"])
    await page.get_by_label(words["attests"]).check()
    await page.get_by_role("button", name=words["register"]).click()
    return someone


async def _paid(
    page: Page, public: PublicSite, amqp: AbstractRobustConnection, ticket_id: str, language: str, shot: str
) -> None:
    """The payment system's PaymentReceived for a held ticket, and *my registration* (open on the
    page, still held) reloaded as the person would until it says confirmed."""
    words = WORDS[language]
    await expect(page.locator(".facts")).to_contain_text(words["awaiting"])
    paid = PaymentReceived(
        ticket_id=uuid.UUID(ticket_id),
        amount_cents=2500,
        currency="CAD",
        reference=f"psp-{uuid.uuid4().hex[:8]}",
        paid_at=datetime.now(UTC),
    )
    names = Names(public.stack.name_prefix, "registration")
    await publish_event(amqp, names, new_event(paid, source="/payments"))
    for _ in range(30):
        await page.reload()
        if words["confirmed"] in await page.locator(".facts").inner_text():
            break
        await asyncio.sleep(0.5)
    await expect(page.locator(".facts")).to_contain_text(words["confirmed"])
    await checked(page, language, shot)


async def _walk_paid_registration(
    page: Page, public: PublicSite, amqp: AbstractRobustConnection, language: str
) -> None:
    """A non-member registers for a priced ticket: the seat is held (the page, the email, *my
    registration* from its link) until the payment system's event confirms it."""
    words = WORDS[language]
    gathering = await new_gathering(public.stack, f"Paid workshop {language}")
    await page.goto(f"{public.url}/events/{gathering['id']}/register")
    someone = await _register_as_non_member(page, "paying", language)
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["seat_held"])
    await checked(page, language, "registered-held")
    # The held email (its subject says so) carries the link to *my registration*.
    link = await link_from_email(
        public, someone["email"], Purpose.REGISTRATION, subject=words["held_subject"]
    )
    token = link.removeprefix(f"{public.url}{PATHS[Purpose.REGISTRATION]}")
    await page.goto(link)
    await expect(page.locator(".facts")).to_contain_text(words["awaiting"])
    await checked(page, language, "my-registration-held")
    ticket_id = public.links.read(Purpose.REGISTRATION, token)["ticket"]
    await _paid(page, public, amqp, ticket_id, language, "my-registration-paid-direct")


async def _walk_waiting_list(
    page: Page, public: PublicSite, amqp: AbstractRobustConnection, language: str
) -> tuple[dict[str, Any], str]:
    """Returns the gathering and the email of the person whose seat came from the waiting list."""
    words = WORDS[language]
    full = await new_gathering(public.stack, f"Small circle {language}", capacity=1)
    seat = (await buy(public.stack, full["id"], non_member("seat")))["ticket"]
    await page.goto(f"{public.url}/events")
    listed = page.locator(f"article[aria-labelledby='g-{full['id']}']")
    await expect(listed).to_contain_text(words["full"])
    await page.locator(f"a[href='/events/{full['id']}/register']").click()
    someone = await _register_as_non_member(page, "waiting", language)
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["waitlisted"])
    await checked(page, language, "waitlisted")
    async with public.stack.registration.client() as staff:
        assert (await staff.post(f"/tickets/{seat['id']}/cancel")).status_code == 200
    offer = await link_from_email(public, someone["email"], Purpose.OFFER)  # the offer email's link
    entry = public.links.read(Purpose.OFFER, offer.removeprefix(f"{public.url}{PATHS[Purpose.OFFER]}"))
    await page.goto(offer)
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["held"])
    await checked(page, language, "offer")
    await page.get_by_role("button", name=words["accept"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["accepted"])
    await checked(page, language, "offer-accepted")
    await page.get_by_role("link", name=words["see_mine"]).click()
    # A non-member's seat from the line is priced: held until the payment system says it is paid.
    async with public.stack.registration.client() as staff:
        ticket_id = (await staff.get(f"/waitlist/{entry['entry']}")).json()["ticket_id"]
    await _paid(page, public, amqp, ticket_id, language, "my-registration-paid")
    return full, someone["email"]


async def _walk_verify(
    page: Page, public: PublicSite, certificate: dict[str, str], revoked: dict[str, str], language: str
) -> None:
    words = WORDS[language]
    await page.get_by_role("link", name=words["verify_nav"]).click()
    await checked(page, language, "verify")
    await page.get_by_label(words["code"]).fill(certificate["code"].lower())
    await page.get_by_role("button", name=words["verify"], exact=True).click()
    await expect(page.get_by_role("status")).to_have_text(words["valid"])
    await expect(page.locator(".facts")).to_contain_text(certificate["holder"])
    await checked(page, language, "verify-valid")
    href = await page.get_by_role("link", name=words["certificate_pdf"]).get_attribute("href")
    pdf = await page.request.get(f"{public.url}{href}")
    assert (pdf.headers["content-type"], (await pdf.body())[:4]) == ("application/pdf", b"%PDF")
    await page.goto(f"{public.url}/verify/{revoked['code']}")
    await expect(page.get_by_role("status")).to_have_text(words["revoked"])
    await expect(page.locator(".facts")).to_contain_text(revoked["holder"])
    shown = await page.content()
    for theirs in (
        revoked["email"],
        revoked["person_id"],
        "Nova Scotia",
        "Social worker",
        "attendance corrected",
    ):
        assert theirs not in shown  # of the holder, only the name
    await checked(page, language, "verify-revoked")
    await page.goto(f"{public.url}/verify/NOSUCH-CODE")
    await expect(page.get_by_role("status")).to_contain_text(words["missing"])
    await checked(page, language, "verify-missing")


async def _walk_refusals(page: Page, public: PublicSite, token: str, language: str) -> None:
    words = WORDS[language]
    await page.goto(f"{public.url}/my/{token[:-3]}xyz")
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["bad_link"])
    await checked(page, language, "link-refused")
    gathering = await new_gathering(public.stack, f"Busy {language}")
    await page.goto(f"{public.url}/events/{gathering['id']}/register")
    hammer = f"hammer.{uuid.uuid4().hex[:6]}@example.org"
    for _ in range(REGISTER_PER_EMAIL + 1):
        await page.get_by_label(words["email"]).fill(hammer)
        await page.get_by_role("button", name=words["register"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(words["too_many"])
    await checked(page, language, "too-many-requests")


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_a_new_attendee_walks_the_public_site(
    public: PublicSite,
    browser: Browser,
    amqp: AbstractRobustConnection,
    certificate: dict[str, str],
    revoked: dict[str, str],
    language: str,
) -> None:
    member = await _member(public.stack, amqp, language)
    context = await browser.new_context(viewport=PHONE, accept_downloads=True, timezone_id=VISITOR_ZONE)
    page = await context.new_page()
    try:
        gathering = await _walk_registration(page, public, member, language)
        token = await _walk_my_registration(page, public, gathering, member["email"], language)
        await page.goto(f"{public.url}/my/{token}")
        await page.get_by_role("button", name=WORDS[language]["cancel"]).click()
        await expect(page.get_by_role("status")).to_contain_text(WORDS[language]["cancelled"])
        await checked(page, language, "my-registration-cancelled")
        await _walk_paid_registration(page, public, amqp, language)
        full, email = await _walk_waiting_list(page, public, amqp, language)
        person = str((await ticket_of(public.stack, full["id"], email))["person_id"])
        await _walk_reminders(page, public, full, email, person, language)
        await _walk_feedback(page, public, full, email, person, language)
        await _walk_verify(page, public, certificate, revoked, language)
        await _walk_refusals(page, public, token, language)
    finally:
        await context.close()
