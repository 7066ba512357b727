"""The acceptance walk, in a real browser (Debian's Chromium through Playwright) against the real
gateway, registration, credits and notifications: sign in with two-factor; create a gathering with
member and non-member tickets and a French breakout; see registrants arrive; check two people in;
import an attendance report with one bad line and see it reported; see a person's credits and
download the transcript; approve a self-report; see a parked message and replay it; see all of it
in the audit log — in English, then the same in French. axe-core checks every page (no serious or
critical WCAG A/AA violation) and the main pages are saved to docs/screenshots/."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from aio_pika.abc import AbstractRobustConnection
from playwright.async_api import Browser, BrowserContext, FilePayload, Page, expect

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import AttendanceReported, MembershipStatus, MemberUpserted
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.browser import describe, serious_violations

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Stack
from .staff import StaffBrowser, next_code

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WORDS = {
    "en": {
        "sign_in": "Sign in",
        "code": "Code from your authenticator app",
        "continue": "Continue",
        "create": "Create a gathering",
        "save": "Create the gathering",
        "created": "The gathering was created.",
        "registrants": "Registrants",
        "check_in": "Check-in",
        "find": "Find a person by name or email",
        "search": "Search",
        "present": "Present: 2 of 3",
        "import": "Import attendance",
        "report": "The video platform's attendance report (CSV)",
        "do_import": "Import",
        "bad_line": "Lines that could not be used",
        "self_reports": "Self-reports",
        "approve": "Approve",
        "approved": "Approved",
        "parked": "Parked messages",
        "replay": "Replay",
        "replayed": "1 messages replayed.",
        "resent": "The email was queued to send again.",
        "saved": "The changes were saved.",
        "discard": "Discard",
        "discarded": "The message was discarded; the audit log keeps why.",
        "audit": "Audit log",
        "show": "Show",
        "problem": "There is a problem",
        "reject": "Reject",
        "rejected": "Rejected: the person will read your reason.",
        "revoked": "Revoked: attendance corrected",
        "cancelled": "The gathering is now cancelled.",
        "staff_added": "Done.",
        "turn_on": "Turn on two-factor authentication",
    },
    "fr": {
        "sign_in": "Ouvrir une session",
        "code": "Code de votre application d’authentification",
        "continue": "Continuer",
        "create": "Créer une rencontre",
        "save": "Créer la rencontre",
        "created": "La rencontre a été créée.",
        "registrants": "Inscriptions",
        "check_in": "Accueil",
        "find": "Trouver une personne par son nom ou son courriel",
        "search": "Chercher",
        "present": "Présences : 2 sur 3",
        "import": "Importer les présences",
        "report": "Le rapport de présences de la plateforme vidéo (CSV)",
        "do_import": "Importer",
        "bad_line": "Lignes inutilisables",
        "self_reports": "Déclarations",
        "approve": "Approuver",
        "approved": "Approuvé",
        "parked": "Messages en attente",
        "replay": "Renvoyer",
        "replayed": "1 messages renvoyés.",
        "resent": "Le courriel sera envoyé de nouveau.",
        "saved": "Les modifications sont enregistrées.",
        "discard": "Supprimer",
        "discarded": "Le message a été supprimé; le journal d’audit garde la raison.",
        "audit": "Journal d’audit",
        "show": "Afficher",
        "problem": "Il y a un problème",
        "reject": "Refuser",
        "rejected": "Refusé : la personne lira votre raison.",
        "revoked": "Révoquée : attendance corrected",
        "cancelled": "La rencontre est maintenant annulée.",
        "staff_added": "C’est fait.",
        "turn_on": "Activer l’authentification à deux facteurs",
    },
}


async def checked(page: Page, language: str, name: str | None = None) -> None:
    """axe-core on the page as it stands; a screenshot of it when it is one of the main pages."""
    found = await serious_violations(page)
    assert not found, f"{page.url}:\n{describe(found)}"
    if name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SCREENSHOTS / f"{language}-{name}.png", full_page=True)


def _attendee(tag: str, kind: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"{kind.title()} {tag}",
        "email": f"{kind}.{tag}@example.org",
        "preferred_language": "fr",
        "ticket_type": "non_member",
        "profession": "Social worker",
        "regulatory_body": "Nova Scotia College of Social Workers",
        "region": "Nova Scotia",
        "attests_regulated_profession": True,
    }
    return body


async def _register(
    stack: Stack, amqp: AbstractRobustConnection, prefix: str, gid: str, tag: str
) -> list[dict[str, Any]]:
    """Three people register as the public site will let them: a member and two non-members."""
    member = MemberUpserted(
        member_id=f"M-{tag}",
        registration_number=f"NS-{tag}",
        name=f"Member {tag}",
        email=f"member.{tag}@example.org",
        preferred_language="en",
        status=MembershipStatus.ACTIVE,
        changed_at=datetime.now(UTC),
    )
    await publish_event(amqp, Names(prefix, "registration"), new_event(member, source="/membership-register"))
    people = [
        {"name": member.name, "email": member.email, "ticket_type": "member"},
        _attendee(tag, "alex"),
        _attendee(tag, "camille"),
    ]
    async with stack.registration.client() as client, asyncio.timeout(20):
        for someone in people:
            while (
                answer := await client.post(f"/gatherings/{gid}/tickets", json=someone)
            ).status_code != 201:
                assert answer.json()["errors"][0]["code"] == "membership_not_confirmed", answer.text
                await asyncio.sleep(0.2)
            someone["person_id"] = answer.json()["ticket"]["person_id"]
    return people


async def _sign_in(
    context: BrowserContext, stack: Stack, admin: StaffBrowser, language: str, code: str
) -> Page:
    page = await context.new_page()
    await page.goto(f"{stack.gateway.url}/login")
    if language == "fr":
        await page.get_by_role("link", name="Français").click()
    words = WORDS[language]
    await checked(page, language, "login")
    await page.get_by_label("Email address" if language == "en" else "Adresse courriel").fill(ADMIN_EMAIL)
    await page.get_by_label("Password" if language == "en" else "Mot de passe").fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name=words["sign_in"]).click()
    await page.get_by_label(words["code"]).fill(code)
    await checked(page, language, "two-factor")
    await page.get_by_role("button", name=words["continue"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Dashboard" if language == "en" else "Tableau de bord"
    )
    return page


async def _create_gathering(page: Page, stack: Stack, language: str) -> str:
    words = WORDS[language]
    await page.get_by_role("link", name=words["create"]).first.click()
    await page.get_by_role("button", name=words["save"]).click()  # empty: the error summary
    await expect(page.get_by_role("heading", name=words["problem"])).to_be_visible()
    await checked(page, language, "gathering-form-errors")
    await page.locator("#title_en").fill(f"Quarterly community of practice ({language})")
    await page.locator("#title_fr").fill(f"Communauté de pratique trimestrielle ({language})")
    await page.locator("#starts_at").fill("2027-03-11T12:00")
    await page.locator("#ends_at").fill("2027-03-11T13:30")
    await page.locator("#capacity").fill("50")
    await page.locator("#join_url").fill("https://video.example.org/j/quarterly")
    await page.locator("#price_non_member").fill("25")
    await page.locator("#french_breakout").check()
    await page.locator("#breakout_capacity").fill("15")
    await page.locator("#credit_hours").fill("1.5")
    await checked(page, language, "gathering-form")
    await page.get_by_role("button", name=words["save"]).click()
    await expect(page.get_by_role("status")).to_have_text(words["created"])
    await expect(page).to_have_title(re.compile(r"^Quarterly community of practice|^Communauté de pratique"))
    await expect(page.locator("#ticket-types li")).to_have_count(2)
    await expect(page.locator("#breakouts")).to_contain_text("(fr)")
    await checked(page, language, "gathering")
    gid = page.url.rsplit("/", 1)[1].split("?")[0]
    await page.goto(f"{stack.gateway.url}/gatherings/{gid}/edit")
    await page.locator("#capacity").fill("60")
    await checked(page, language)
    await page.locator("main form button[type=submit]").click()
    await expect(page.get_by_role("status")).to_have_text(words["saved"])
    await expect(page.locator("dl")).to_contain_text("0 / 60")
    await page.locator("#name_en").fill("Housing and poverty circle")
    await page.locator("#name_fr").fill("Cercle logement et pauvreté")
    await page.locator("#practice_area").fill("housing_and_poverty")
    await page.locator("#capacity").fill("10")
    await page.locator("#capacity").locator("xpath=ancestor::form").locator("button").click()
    await expect(page.locator("#breakouts li")).to_have_count(2)
    return gid


async def _dashboard(page: Page, language: str, base: str) -> None:
    """The members' CPD standing at a glance, and the upcoming gatherings with seats taken of
    their capacity (the first ten open ones: other tests' gatherings may come before the walk's)."""
    await page.goto(f"{base}/")
    await expect(page.locator("#cpd-standing .number")).to_have_text(re.compile(r"^\d+$"))
    await expect(page.locator("#cpd-standing p")).to_contain_text(re.compile(r"\d+ \S+ \d+"))
    first = page.locator("main table tbody tr").first.locator("td")
    await expect(first.nth(2)).to_have_text(re.compile(r"^\d+ / \d+$"))


async def _gatherings(page: Page, gid: str, language: str, base: str) -> None:
    """The list shows the walk's gathering with its three registrants of sixty seats."""
    await page.goto(f"{base}/gatherings")
    row = page.locator("main table tbody tr", has=page.locator(f"a[href='/gatherings/{gid}']"))
    await expect(row.locator("td").nth(3)).to_have_text("3 / 60")
    await checked(page, language, "gatherings")


async def _registrants_csv(page: Page, people: list[dict[str, Any]]) -> None:
    async with page.expect_download() as download:
        await page.locator("a[href*='/registrants.csv']").click()
    saved = Path(await (await download.value).path())
    sheet = await asyncio.to_thread(saved.read_text, encoding="utf-8-sig")
    assert all(someone["email"] in sheet for someone in people), sheet


async def _check_two_in(page: Page, gid: str, people: list[dict[str, Any]], language: str, base: str) -> None:
    words = WORDS[language]
    await page.goto(f"{base}/gatherings/{gid}/registrants")
    await expect(page.locator("#registrants tbody tr")).to_have_count(3)
    await checked(page, language, "registrants")
    await _registrants_csv(page, people)
    # A bulk action respects the filter: only the one the search shows leaves the French breakout
    # (registration placed her there by her language).
    await page.locator("#q").fill(people[2]["name"])
    await page.locator("#q").press("Enter")
    await expect(page.locator("#registrants tbody tr")).to_have_count(1)
    await expect(page.locator("#registrants tbody tr td").nth(3)).not_to_have_text("–")
    await page.locator("#breakout_id").select_option("none")
    await page.locator("#breakout_id").locator("xpath=ancestor::form").locator("button").click()
    await expect(page.get_by_role("status")).to_contain_text("1")
    await expect(page.locator("#registrants tbody tr td").nth(3)).to_have_text("–")
    await page.goto(f"{base}/gatherings/{gid}/check-in")
    for someone in people[:2]:
        await page.get_by_label(words["find"]).fill(someone["name"])
        await page.get_by_role("button", name=words["search"]).click()
        await page.locator("#matches button").click()
    # The wrong person's button, then undo: the present count is as it was.
    await page.get_by_label(words["find"]).fill(people[2]["name"])
    await page.get_by_role("button", name=words["search"]).click()
    await page.locator("#matches button").click()
    await page.locator("#matches button").click()  # now the undo button
    await expect(page.locator("#undone")).to_be_visible()
    await expect(page.locator("#present-count")).to_have_text(words["present"])
    await checked(page, language, "check-in")


def _report(people: list[dict[str, Any]]) -> bytes:
    camille = people[2]["email"]
    return (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        f"Camille,{camille},03/11/2027 12:00:00 PM,03/11/2027 01:30:00 PM,90,No\n"
        f"Camille,{camille},03/11/2027 12:05:00 PM,not a time,55,No\n"
    ).encode()


async def _import(page: Page, gid: str, people: list[dict[str, Any]], language: str, base: str) -> None:
    words = WORDS[language]
    await page.goto(f"{base}/gatherings/{gid}/attendance-import")
    upload = FilePayload(name="zoom-participants.csv", mimeType="text/csv", buffer=_report(people))
    await page.get_by_label(words["report"]).set_input_files(files=[upload])
    await page.get_by_role("button", name=words["do_import"], exact=True).click()
    await expect(page.get_by_role("heading", name=words["bad_line"])).to_be_visible()
    await expect(page.locator("#import-errors tbody tr")).to_have_count(1)
    await expect(page.locator("#import-errors tbody tr td").first).to_have_text("3")
    await checked(page, language, "attendance-import")


async def _in_a_group(stack: Stack, person_id: str, language: str) -> str:
    """A group formed by hand with the person in it (groups' own API, as the groups page would);
    its name as the page shows it in `language`."""
    name = {"en": f"Advocacy for housing {language}", "fr": f"Défense du droit au logement {language}"}
    body = {"kind": "advocacy_campaign", "language": "en", "name": name, "member_ids": [person_id]}
    async with stack.groups.client() as groups:
        made = await groups.post("/groups", json=body)
    assert made.status_code == 201, made.text
    return name[language]


async def _ready(page: Page) -> bool:
    """The person's credit, certificate and first email have all arrived through the broker."""
    return bool(
        await page.locator("#ledger tbody td", has_text="1.50").count()
        and await page.locator("#certificates tbody code").count()
        and await page.locator("#person-emails li", has_text=re.compile(r"\d{4}-\d{2}-\d{2}")).count()
    )


async def _download(page: Page, link: str) -> bytes:
    async with page.expect_download() as download:
        await page.locator(link).click()
    return await asyncio.to_thread(Path(await (await download.value).path()).read_bytes)


async def _person(page: Page, stack: Stack, person_id: str, language: str, base: str) -> None:
    group = await _in_a_group(stack, person_id, language)
    async with asyncio.timeout(30):
        while True:
            await page.goto(f"{base}/people/{person_id}")
            if await _ready(page):
                break
            await asyncio.sleep(0.5)
    # Who they are, their ticket with the attendance checked in at the door, their certificate
    # (valid), their group and the emails they were sent.
    await expect(page.locator("#person-details")).to_be_visible()
    await expect(page.locator("#tickets tbody tr")).to_have_count(1)
    await expect(page.locator("#tickets tbody tr td").nth(4)).to_have_text("90 minutes")
    await expect(page.locator("#certificates tbody tr td").nth(3)).to_have_text(
        "Valid" if language == "en" else "Valide"
    )
    await expect(page.locator("#person-groups")).to_contain_text(group)
    await checked(page, language, "person")
    transcript = (await _download(page, "#transcript-csv")).decode("utf-8-sig")
    assert "1.50" in transcript
    assert (await _download(page, "#transcript-pdf")).startswith(b"%PDF-")


async def _corrected(page: Page, gid: str, someone: dict[str, Any], language: str, base: str) -> None:
    """A second report says they stayed 30 minutes of the 90: below the policy's minimum, so
    credits reverses the award and revokes the certificate, as the person's page shows."""
    await page.goto(f"{base}/gatherings/{gid}/attendance-import")
    report = f"User Email,Duration (Minutes)\n{someone['email']},30\n".encode()
    upload = FilePayload(name="zoom-correction.csv", mimeType="text/csv", buffer=report)
    await page.get_by_label(WORDS[language]["report"]).set_input_files(files=[upload])
    await page.get_by_role("button", name=WORDS[language]["do_import"], exact=True).click()
    await expect(page.locator("#import-result")).to_be_visible()
    async with asyncio.timeout(30):
        while True:
            await page.goto(f"{base}/people/{someone['person_id']}")
            if await page.locator("#certificates tbody td", has_text=WORDS[language]["revoked"]).count():
                break
            await asyncio.sleep(0.5)
    await expect(page.locator("#certificates tbody tr td").nth(3)).to_contain_text(WORDS[language]["revoked"])


async def _report_hours(stack: Stack, person_id: str, title: str) -> str:
    async with stack.credits.client() as client:
        made = await client.post(
            f"/people/{person_id}/self-reports",
            json={
                "title": f"{title} {uuid.uuid4().hex[:6]}",
                "category": "formal_learning",
                "hours": "3",
                "activity_date": "2026-10-15",
                "evidence": "Certificate of completion, 3 h",
            },
        )
    assert made.status_code == 201, made.text
    return str(made.json()["title"])


async def _self_report(page: Page, stack: Stack, person_id: str, language: str, base: str) -> None:
    approved = await _report_hours(stack, person_id, "Trauma-informed practice course")
    rejected = await _report_hours(stack, person_id, "Lunch with colleagues")
    words = WORDS[language]
    await page.get_by_role("link", name=words["self_reports"]).click()
    await checked(page, language, "self-reports")
    report = page.locator("section", has_text=approved)
    await report.get_by_role("button", name=words["approve"]).click()
    await expect(page.get_by_role("status")).to_contain_text(words["approved"])
    # A rejection needs the reason the person will read: refused without one, then given.
    await page.locator("section", has_text=rejected).get_by_role("button", name=words["reject"]).click()
    await expect(page.get_by_role("heading", name=words["problem"])).to_be_visible()
    await checked(page, language)
    report = page.locator("section", has_text=rejected)
    await report.locator("textarea").fill("A social lunch is not a learning activity")
    await report.get_by_role("button", name=words["reject"]).click()
    await expect(page.get_by_role("status")).to_have_text(words["rejected"])
    await expect(page.locator("section", has_text=rejected)).to_have_count(0)
    await page.goto(f"{base}/people/{person_id}")  # the decisions show on the person's page
    await expect(page.locator("#self-reports")).to_contain_text(approved)
    await expect(page.locator("#self-reports li", has_text=rejected)).to_contain_text(
        "rejected" if language == "en" else "refusé"
    )


async def _parked(
    page: Page, amqp: AbstractRobustConnection, prefix: str, gid: str, language: str, base: str
) -> None:
    stranger = AttendanceReported(
        gathering_id=uuid.UUID(gid),
        email=f"stranger.{uuid.uuid4().hex[:6]}@example.org",
        minutes_attended=60,
        reported_at=datetime.now(UTC),
    )
    await publish_event(amqp, Names(prefix, "registration"), new_event(stranger, source="/video-platform"))
    words = WORDS[language]
    async with asyncio.timeout(20):
        while True:
            await page.goto(f"{base}/parked")
            if await page.locator(".parked", has_text=stranger.email).count():
                break
            await asyncio.sleep(0.3)
    await expect(page.locator(".parked", has_text=stranger.email)).to_contain_text("unknown_attendee")
    await checked(page, language, "parked")
    await page.locator(".parked", has_text=stranger.email).get_by_role("button", name=words["replay"]).click()
    await expect(page.get_by_role("status")).to_have_text(words["replayed"])
    # Replayed, it parks again (that person holds no ticket): discarded, with the reason audited.
    async with asyncio.timeout(20):
        while not await page.locator(".parked", has_text=stranger.email).count():
            await asyncio.sleep(0.3)
            await page.goto(f"{base}/parked")
    again = page.locator(".parked", has_text=stranger.email)
    await again.locator("textarea").fill("A guest of the platform, not registered")
    await again.get_by_role("button", name=words["discard"]).click()
    await expect(page.get_by_role("status")).to_have_text(words["discarded"])
    await expect(page.locator(".parked", has_text=stranger.email)).to_have_count(0)


async def _emails(page: Page, someone: dict[str, Any], language: str, base: str) -> None:
    """The confirmation sent to a registrant is in the delivery log, and can be sent again."""
    words = WORDS[language]
    async with asyncio.timeout(30):
        while True:
            await page.goto(f"{base}/emails?to={someone['email']}")
            if await page.locator("#deliveries tbody form").count():
                break
            await asyncio.sleep(0.5)
    await checked(page, language, "emails")
    await page.locator("#deliveries tbody form button").first.click()
    await expect(page.get_by_role("status")).to_have_text(words["resent"])


async def _close(page: Page, gid: str, language: str, base: str) -> None:
    await page.goto(f"{base}/gatherings/{gid}")
    await page.locator("#status-closed").check()
    await page.get_by_role(
        "button", name="Change the gathering" if language == "en" else "Modifier la rencontre"
    ).click()
    await expect(page.get_by_role("status")).to_contain_text("closed" if language == "en" else "fermée")
    await checked(page, language, "gathering-closed")


async def _cancel(page: Page, gid: str, language: str, base: str) -> None:
    """Cancelling is final and tells holders why: refused without a reason, done with one."""
    words = WORDS[language]
    change = "Change the gathering" if language == "en" else "Modifier la rencontre"
    await page.goto(f"{base}/gatherings/{gid}")
    await page.locator("#status-cancelled").check()
    await page.get_by_role("button", name=change).click()
    await expect(page.get_by_role("heading", name=words["problem"])).to_be_visible()
    await expect(page.locator(".error-summary a[href='#reason']")).to_be_visible()
    await checked(page, language)
    await page.locator("#status-cancelled").check()
    await page.locator("#reason").fill("The facilitator is ill; we will write with a new date.")
    await page.get_by_role("button", name=change).click()
    await expect(page.get_by_role("status")).to_have_text(words["cancelled"])
    await expect(page.locator("#status-cancelled")).to_have_count(0)  # nothing more to change


async def _new_admin(browser: Browser, page: Page, stack: Stack, language: str) -> None:
    """The staff page adds an admin; at her first sign-in she sets up two-factor authentication
    (the key the page shows, a code from it) and is shown her recovery codes once."""
    base, words = stack.gateway.url, WORDS[language]
    await page.goto(f"{base}/staff")
    await checked(page, language, "staff")
    email, password = f"admin.{language}.{uuid.uuid4().hex[:8]}@example.org", uuid.uuid4().hex
    await page.locator("#email").fill(email)
    await page.locator("#role").check()  # the first choice: admin
    await page.locator("#password").fill(password)
    await page.locator("form[action='/staff'] button[type=submit]").click()
    await expect(page.get_by_role("status")).to_have_text(words["staff_added"])
    await expect(page.locator("#staff tbody tr", has_text=email)).to_be_visible()
    newcomer = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    try:
        await newcomer.goto(f"{base}/login")
        if language == "fr":
            await newcomer.get_by_role("link", name="Français").click()
        await newcomer.locator("#email").fill(email)
        await newcomer.locator("#password").fill(password)
        await newcomer.get_by_role("button", name=words["sign_in"]).click()
        await expect(newcomer.locator("#totp-secret")).to_be_visible()
        await checked(newcomer, language, "two-factor-setup")
        secret = await newcomer.locator("#totp-secret").inner_text()
        await newcomer.get_by_label(words["code"]).fill(pyotp.TOTP(secret).now())
        await newcomer.get_by_role("button", name=words["turn_on"]).click()
        await expect(newcomer.locator("#recovery-codes li")).to_have_count(10)
        await checked(newcomer, language, "recovery-codes")
    finally:
        await newcomer.context.close()


async def _audit(page: Page, language: str, base: str) -> None:
    await page.goto(f"{base}/audit")
    actions = (
        "login",
        "gathering_created",
        "gathering_changed",
        "breakout_added",
        "checked_in",
        "check_in_undone",
        "attendance_imported",
        "transcript_downloaded",
        "self_report_decided",
        "parked_replayed",
        "registrants_moved",
        "gathering_status_changed",
        "email_resent",
        "parked_discarded",
        "registrants_exported",
        "staff_created",
        "two_factor_enabled",
    )
    for action in actions + (("recovery_code_used",) if language == "fr" else ()):
        await expect(page.locator("#audit td", has_text=action).first).to_be_visible()
    await checked(page, language, "audit")
    await page.get_by_label("Action").select_option("checked_in")
    await page.get_by_role("button", name=WORDS[language]["show"]).click()
    assert await page.locator("#audit tbody tr").count() >= 2


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_the_staff_walk(
    language: str, stack: Stack, admin: StaffBrowser, browser: Browser, amqp: AbstractRobustConnection
) -> None:
    name_prefix = stack.name_prefix
    base = stack.gateway.url
    # English signs in with the authenticator's code; French with one of the recovery codes.
    assert admin.totp_secret
    code = next_code(admin.totp_secret) if language == "en" else admin.recovery_codes[0]
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        page = await _sign_in(context, stack, admin, language, code)
        await checked(page, language, "dashboard")
        gid = await _create_gathering(page, stack, language)
        people = await _register(stack, amqp, name_prefix, gid, f"{language}{uuid.uuid4().hex[:6]}")
        await _dashboard(page, language, base)
        await _gatherings(page, gid, language, base)
        await _check_two_in(page, gid, people, language, base)
        await _import(page, gid, people, language, base)
        await _person(page, stack, people[0]["person_id"], language, base)
        await _corrected(page, gid, people[0], language, base)
        await _self_report(page, stack, people[0]["person_id"], language, base)
        await _parked(page, amqp, name_prefix, gid, language, base)
        await _emails(page, people[1], language, base)
        await page.goto(f"{base}/groups")
        await checked(page, language, "groups")
        await _close(page, gid, language, base)
        await _new_admin(browser, page, stack, language)
        await _audit(page, language, base)
        await page.set_viewport_size({"width": 390, "height": 844})  # a phone at the door
        await page.goto(f"{base}/gatherings/{gid}/check-in")
        await checked(page, language, "check-in-phone")
        await page.set_viewport_size({"width": 1280, "height": 900})
        await _cancel(page, gid, language, base)
    finally:
        await context.close()
