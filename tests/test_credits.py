"""The credits ledger on the real broker and database: events redelivered and out of order give
the same ledger; a correction is a reversal plus a new entry; certificates verify, then revoke."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from aio_pika.abc import AbstractRobustConnection
from pypdf import PdfReader

from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    CertificateIssued,
    CreditPolicy,
    CreditsAwarded,
    CreditsRevoked,
    FeedbackSubmitted,
    GatheringScheduled,
    Language,
    PersonDetails,
    PersonErasureRequested,
)
from hearth_shared.messaging import Names
from hearth_testing.broker import checked, collect, drain, publish_event, watch
from hearth_testing.builders import gathering_scheduled, person_details
from hearth_testing.fixtures import StartService
from hearth_testing.waiting import eventually


def gathering(requires_feedback: bool = False) -> GatheringScheduled:
    return gathering_scheduled(
        capacity=100,
        credit_policy=CreditPolicy(
            hours=Decimal("1.5"),
            minimum_attendance_fraction=Decimal("0.75"),
            category="community_of_practice",
            requires_feedback=requires_feedback,
        ),
    )


def attended(
    g: GatheringScheduled, who: PersonDetails, minutes: int, revision: int, attendance_id: uuid.UUID
) -> Any:
    return AttendanceRecorded(
        attendance_id=attendance_id,
        gathering_id=g.gathering_id,
        person_id=who.person_id,
        minutes_attended=minutes,
        revision=revision,
        attendee=who,
    )


def someone(language: Language = "en") -> PersonDetails:
    return person_details(language, name="Léa Martin")  # an accent, for the certificate's PDF


async def _ledger(client: httpx.AsyncClient, person: PersonDetails, count: int) -> list[dict[str, Any]]:
    url = f"/people/{person.person_id}/ledger"
    return list(
        (await eventually(lambda: client.get(url), lambda r: len(r.json()) >= count, timeout=20)).json()
    )


async def test_redelivered_and_reordered_events_give_the_same_ledger_and_corrections_reverse(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    credits = await start_service("credits")
    names = Names(name_prefix, "credits")
    watcher = await watch(amqp, names, CreditsAwarded, CreditsRevoked)
    g = gathering()
    in_order, reordered = someone(), someone()
    ids = {p.person_id: uuid.uuid4() for p in (in_order, reordered)}

    def event(data: Any) -> CloudEvent[Any]:
        return new_event(data, source="/hearth/registration")

    scheduled = event(g)
    first = event(attended(g, in_order, 86, 1, ids[in_order.person_id]))
    early = event(attended(g, reordered, 86, 1, ids[reordered.person_id]))
    # One person's attendance arrives before the gathering's policy, and twice; the other's after.
    for message in (early, early, scheduled, first, scheduled, first):
        await publish_event(amqp, names, message)

    async with credits.client() as client:
        ledgers = [await _ledger(client, p, 1) for p in (in_order, reordered)]
        await asyncio.sleep(1.0)  # let any (wrong) second award arrive
        ledgers = [(await client.get(f"/people/{p.person_id}/ledger")).json() for p in (in_order, reordered)]
        assert [[(e["kind"], e["hours"], e["cycle"]) for e in entries] for entries in ledgers] == [
            [("award", "1.25", "2026-2027")]
        ] * 2

        # Corrections: too little time (below 75 %), then the full length.
        reordered_id = ids[reordered.person_id]
        for minutes, revision in ((40, 2), (90, 3)):
            await publish_event(amqp, names, event(attended(g, reordered, minutes, revision, reordered_id)))
        # A stale revision arriving late changes nothing.
        await publish_event(amqp, names, event(attended(g, reordered, 10, 2, reordered_id)))
        entries = await _ledger(client, reordered, 3)
        await asyncio.sleep(0.5)
        entries = (await client.get(f"/people/{reordered.person_id}/ledger")).json()
        transcript = (
            await client.get(f"/people/{reordered.person_id}/transcript", params={"cycle": "2026-2027"})
        ).json()
        csv_text = (
            await client.get(
                f"/people/{reordered.person_id}/transcript", params={"cycle": "2026-2027", "format": "csv"}
            )
        ).text

    assert [(e["kind"], e["hours"]) for e in entries] == [
        ("award", "1.25"),
        ("reversal", "-1.25"),
        ("award", "1.50"),
    ]
    assert entries[1]["reverses"] == entries[0]["id"]
    assert (
        sum(Decimal(e["hours"]) for e in entries)
        == Decimal(transcript["progress"]["earned"])
        == Decimal("1.5")
    )
    assert [(r["activity"], r["hours"]) for r in transcript["rows"]] == [(g.title.en, "1.50")]
    assert csv_text.splitlines()[1] == f"2027-03-11,{g.title.en},community_of_practice,1.50"
    # Awards: one each, then the correction's reversal (40 min earns nothing) and new award.
    published = checked(await collect(watcher, 4)) + checked(await drain(watcher, quiet=0.5))
    assert sorted(kind for kind, _ in published) == ["credits_awarded"] * 3 + ["credits_revoked"]


async def test_a_certificate_waits_for_feedback_verifies_and_is_revoked_by_a_correction(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    credits = await start_service("credits")
    names = Names(name_prefix, "credits")
    watcher = await watch(amqp, names, CertificateIssued)
    g = gathering(requires_feedback=True)
    francophone = someone("fr")
    attendance_id = uuid.uuid4()
    await publish_event(amqp, names, new_event(g, source="/hearth/registration"))
    await publish_event(amqp, names, new_event(attended(g, francophone, 90, 1, attendance_id), source="/x"))
    async with credits.client() as client:
        await _ledger(client, francophone, 1)
        assert (await watcher.get(fail=False)) is None  # no certificate before the feedback form
        # Nor a moment later, once the award has been published.
        later = await drain(watcher, quiet=1.0)
        assert [e for e in later if e["data"]["person_id"] == str(francophone.person_id)] == []
        feedback = FeedbackSubmitted(
            feedback_id=uuid.uuid4(),
            gathering_id=g.gathering_id,
            person_id=francophone.person_id,
            benefit_rating=5,
        )
        await publish_event(amqp, names, new_event(feedback, source="/hearth/registration"))
        [(_, issued)] = checked(await collect(watcher, 1))
        code = issued.verification_code
        valid = (await client.get(f"/verify/{code}")).json()
        pdf = await client.get(issued.certificate_path)

        await publish_event(
            amqp, names, new_event(attended(g, francophone, 30, 2, attendance_id), source="/x")
        )
        verify = f"/verify/{code}"
        revoked = (
            await eventually(
                lambda: client.get(verify), lambda r: r.json()["status"] == "revoked", timeout=20
            )
        ).json()
        revoked_pdf = await client.get(issued.certificate_path)
        erasure = PersonErasureRequested(email=francophone.email, requested_at=datetime.now(UTC))
        await publish_event(amqp, names, new_event(erasure, source="/membership-register"))
        after = (
            await eventually(lambda: client.get(verify), lambda r: r.json()["holder"] is None, timeout=20)
        ).json()
        ledger_after = (await client.get(f"/people/{francophone.person_id}/ledger")).json()
        unknown = await client.get("/verify/0000-0000-0000")

    assert (valid["status"], valid["holder"], valid["hours"]) == ("valid", francophone.name, "1.50")
    assert valid["activity"] == g.title.fr
    assert pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf)
    assert "Attestation de participation" in text
    assert francophone.name in text
    assert code in text
    assert "11 mars 2027" in text
    assert ("1,50" in text, "RÉVOQUÉE" in text) == (True, False)
    assert f"localhost:8000/verify/{code}" in text  # the public page, not the credits service
    assert (revoked["status"], "attendance corrected" in revoked["revoked_reason"]) == ("revoked", True)
    assert "RÉVOQUÉE" in _pdf_text(revoked_pdf)
    assert after["holder"] is None  # erased: the ledger stays, by opaque id
    assert [e["kind"] for e in ledger_after] == ["award", "reversal"]
    assert unknown.status_code == 404


def _pdf_text(response: httpx.Response) -> str:
    return str(PdfReader(io.BytesIO(response.content)).pages[0].extract_text())


async def test_self_reported_activities_need_a_staff_decision(start_service: StartService) -> None:
    credits = await start_service("credits")
    person_id = uuid.uuid4()
    report = {
        "title": "Trauma-informed practice course",
        "category": "formal_learning",
        "hours": "6",
        "activity_date": "2027-02-02",
        "evidence": "Certificate no. 4471 from the college",
    }
    async with credits.client() as client:
        first = (await client.post(f"/people/{person_id}/self-reports", json=report)).json()
        second = (await client.post(f"/people/{person_id}/self-reports", json=report | {"hours": "2"})).json()
        no_reason = await client.post(f"/self-reports/{second['id']}/decision", json={"approved": False})
        rejected = await client.post(
            f"/self-reports/{second['id']}/decision",
            json={"approved": False, "reason": "Duplicate of the course"},
        )
        approved = await client.post(f"/self-reports/{first['id']}/decision", json={"approved": True})
        twice = await client.post(
            f"/self-reports/{first['id']}/decision", json={"approved": False, "reason": "x"}
        )
        bad = await client.post(f"/people/{person_id}/self-reports", json=report | {"hours": "-1"})
        progress = (await client.get(f"/people/{person_id}/progress", params={"cycle": "2026-2027"})).json()

    assert (no_reason.status_code, no_reason.json()["errors"][0]["field"]) == (422, "reason")
    assert rejected.json()["status"] == "rejected"
    assert approved.json()["status"] == "approved"
    assert twice.status_code == 409
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "hours")
    assert (progress["earned"], progress["remaining"]) == ("6.00", "34.00")
