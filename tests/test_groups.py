"""Groups on the real broker and database: interest from three gatherings' feedback becomes groups
and invitations (once each, though every event arrives twice); a confidential roster is refused
through every route; a peer-supervision meeting's attendance earns CPD hours; erasure."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import CloudEvent, EventData, new_event
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    Bilingual,
    GatheringSnapshot,
    GroupFormed,
    GroupMemberJoined,
    GroupMemberLeft,
    InterestExpressed,
    PersonDetails,
    PersonErasureRequested,
    TicketPurchased,
)
from hearth_shared.messaging import Names
from hearth_testing.broker import collect, drain, publish_event, watch
from hearth_testing.fixtures import StartService
from hearth_testing.smtp import SmtpSink

STAFF = {"X-Hearth-Role": "staff"}
STARTS = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)


def member(person_id: uuid.UUID | str) -> dict[str, str]:
    return {"X-Hearth-Role": "member", "X-Hearth-Person": str(person_id)}


def someone(language: str) -> PersonDetails:
    tag = uuid.uuid4().hex[:8]
    return PersonDetails(
        person_id=uuid.uuid4(),
        name=f"Camille Roy {tag}",
        email=f"camille.{tag}@example.org",
        language=language,
    )


def ticket(gathering_id: uuid.UUID, who: PersonDetails) -> TicketPurchased:
    return TicketPurchased(
        ticket_id=uuid.uuid4(),
        ticket_type="member",
        price_cents=0,
        gathering=GatheringSnapshot(
            gathering_id=gathering_id,
            title=Bilingual(en="Quarterly community of practice", fr="Communauté de pratique trimestrielle"),
            modality="virtual",
            starts_at=STARTS,
            ends_at=STARTS + timedelta(minutes=90),
            time_zone="America/Halifax",
        ),
        attendee=who,
    )


async def publish(amqp: AbstractRobustConnection, name_prefix: str, data: EventData, times: int = 1) -> None:
    event: CloudEvent[Any] = new_event(data, source="/hearth/registration")
    for _ in range(times):
        await publish_event(amqp, Names(name_prefix, "groups"), event)


async def until(client: httpx.AsyncClient, path: str, count: int, **params: Any) -> list[Any]:
    async with asyncio.timeout(30):
        while len(found := (await client.get(path, params=params, headers=STAFF)).json()) < count:
            await asyncio.sleep(0.1)
    return list(found)


# Three gatherings' feedback: who said what (kind, practice area, language, how many people).
FEEDBACK = [
    ("peer_supervision", None, "en", 20),
    ("peer_supervision", None, "fr", 10),
    ("advocacy_campaign", "housing_and_poverty", "en", 14),
    ("peer_support", None, "fr", 12),
]


async def test_sixty_interests_delivered_twice_form_groups_and_each_member_is_invited_once(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str, smtp_sink: SmtpSink
) -> None:
    groups = await start_service("groups")
    await start_service("notifications", smtp_port=smtp_sink.port)
    formed_watch = await watch(amqp, Names(name_prefix, "groups"), GroupFormed)
    gatherings = [uuid.uuid4() for _ in range(3)]
    people: dict[str, list[PersonDetails]] = {}
    interest: list[InterestExpressed] = []
    for kind, area, language, count in FEEDBACK:
        people[kind + language] = crowd = [someone(language) for _ in range(count)]
        for index, who in enumerate(crowd):
            await publish(amqp, name_prefix, ticket(gatherings[index % 3], who))
            interest.append(
                InterestExpressed(
                    person_id=who.person_id,
                    gathering_id=gatherings[index % 3],
                    interest=kind,
                    practice_area=area,
                    language=language,
                )
            )
    # Four English supervisees said so at a second gathering too: still one place each.
    again = [i.model_copy(update={"gathering_id": gatherings[2]}) for i in interest[:4]]
    assert len(interest + again) == 60
    for data in interest + again:
        await publish(amqp, name_prefix, data, times=2)

    async with groups.client(role=None) as client:
        await until(client, "/interests", 30, kind="peer_supervision")
        await until(client, "/interests", 14, kind="advocacy_campaign")
        await until(client, "/interests", 12, kind="peer_support")
        published = []
        for kind in ("peer_supervision", "advocacy_campaign", "peer_support"):
            proposal = (await client.post("/proposals", json={"kind": kind}, headers=STAFF)).json()
            assert proposal["left_in_pool"] == [], proposal
            answer = await client.post(f"/proposals/{proposal['id']}/publish", headers=STAFF)
            assert answer.status_code == 200, answer.text
            published += answer.json()
        assert sorted((g["kind"], g["language"], g["member_count"]) for g in published) == [
            ("advocacy_campaign", "en", 14),
            ("peer_supervision", "en", 6),
            ("peer_supervision", "en", 7),
            ("peer_supervision", "en", 7),
            ("peer_supervision", "fr", 5),
            ("peer_supervision", "fr", 5),
            ("peer_support", "fr", 6),
            ("peer_support", "fr", 6),
        ]
        assert (await client.get("/interests", params={"kind": "peer_support"}, headers=STAFF)).json() == []

    # On the broker: the open roster in one event; a confidential one person by person.
    events = await collect(formed_watch, 30 + 12 + 1)
    events += await drain(formed_watch)
    assert len(events) == 43
    by_group: dict[str, list[str]] = {}
    for e in events:
        by_group.setdefault(e["data"]["group_id"], []).extend(e["data"]["member_person_ids"])
    sizes = Counter(len(e["data"]["member_person_ids"]) for e in events)
    assert sizes == {1: 42, 14: 1}
    assert sorted(len(ids) for ids in by_group.values()) == [5, 5, 6, 6, 6, 7, 7, 14]
    everyone = [str(p.person_id) for crowd in people.values() for p in crowd]
    assert sorted(i for ids in by_group.values() for i in ids) == sorted(everyone)

    # Each member is invited once, in their language.
    for crowd in people.values():
        for who in crowd:
            emails = await smtp_sink.wait_for(str(who.email), 2, timeout=60)  # the ticket's, the invitation
            invited = [m for m in emails if m["Subject"].startswith(("You are invited", "Vous êtes invité"))]
            assert len(invited) == 1
    await asyncio.sleep(1.0)  # any second invitation would have arrived by now
    for crowd in people.values():
        for who in crowd:
            assert len(smtp_sink.to(str(who.email))) == 2


async def _peer_support_group(
    client: httpx.AsyncClient, members: list[uuid.UUID], facilitator: uuid.UUID
) -> str:
    answer = await client.post(
        "/groups",
        json={
            "kind": "peer_support",
            "language": "en",
            "purpose": "Support after critical incidents in child protection",
            "facilitator_id": str(facilitator),
            "member_ids": [str(m) for m in [*members, facilitator]],
        },
        headers=STAFF,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_a_confidential_roster_is_refused_through_every_route(start_service: StartService) -> None:
    groups = await start_service("groups")
    members = [uuid.uuid4() for _ in range(5)]
    facilitator = uuid.uuid4()
    async with groups.client(role=None) as client:
        group_id = await _peer_support_group(client, members, facilitator)
        meeting = await client.post(
            f"/groups/{group_id}/meetings",
            json={"starts_at": STARTS.isoformat(), "ends_at": (STARTS + timedelta(hours=1)).isoformat()},
            headers=member(facilitator),
        )
        assert meeting.status_code == 201, meeting.text
        meeting_id = meeting.json()["id"]
        sheet = {"attendees": [{"person_id": str(m), "minutes": 60} for m in members]}
        taken = await client.put(
            f"/groups/{group_id}/meetings/{meeting_id}/attendance", json=sheet, headers=member(facilitator)
        )
        assert taken.json() == {"changed": 5}

        paths = (await client.get("/openapi.json", headers={"X-Hearth-Role": "staff"})).json()["paths"]
        reads = sorted(path for path, operations in paths.items() if "get" in operations)
        values = {
            "group_id": group_id,
            "meeting_id": meeting_id,
            "person_id": str(members[0]),
            "proposal_id": str(uuid.uuid4()),
        }
        secret = {str(m) for m in [*members, facilitator]}
        outsiders = {
            "guest": {},
            "member of Hearth": member(uuid.uuid4()),
            "no role": {"X-Hearth-Role": "guest"},
        }
        walked = 0
        for path in reads:
            url = path.format(**values)
            for who, headers in outsiders.items():
                for params in ({}, {"member": str(members[0])}, {"kind": "peer_support"}):
                    answer = await client.get(url, params=params, headers=headers)
                    walked += 1
                    assert not any(s in answer.text for s in secret), (who, url, params, answer.text)
                    if (
                        "{group_id}" in path
                        and path != "/groups/{group_id}"
                        and path.endswith(("members", "attendance"))
                    ):
                        assert answer.status_code in (403, 404), (who, url)
        assert walked >= 3 * 3 * 12

        # Its existence is known to members of Hearth (the kind says so), its count too, not who.
        outsider = member(uuid.uuid4())
        detail = (await client.get(f"/groups/{group_id}", headers=outsider)).json()
        assert (detail["member_count"], detail["members"], detail["facilitator_id"]) == (6, None, None)
        assert (await client.get(f"/groups/{group_id}", headers={})).status_code == 404  # a guest
        assert (
            await client.get("/groups/counts", params={"member": str(members[0])}, headers=outsider)
        ).json() == {}
        # Members see each other; the person sees their own groups; staff see all.
        roster = (await client.get(f"/groups/{group_id}/members", headers=member(members[1]))).json()
        assert sorted(roster) == sorted(secret)
        own = (await client.get(f"/people/{members[0]}/groups", headers=member(members[0]))).json()
        assert [g["id"] for g in own] == [group_id]
        export = (await client.get("/groups/members.csv", headers=STAFF)).text
        assert all(s in export for s in secret)
        # And a confidential roster cannot be widened.
        widened = await client.post(
            "/groups",
            json={"kind": "peer_supervision", "language": "en", "roster_visibility": "members"},
            headers=STAFF,
        )
        assert widened.status_code == 422


async def _ledger(client: httpx.AsyncClient, person_id: uuid.UUID, count: int) -> list[dict[str, Any]]:
    async with asyncio.timeout(30):
        while len(entries := (await client.get(f"/people/{person_id}/ledger")).json()) < count:
            await asyncio.sleep(0.1)
    return list(entries)


async def test_a_peer_supervision_meetings_attendance_earns_cpd_hours(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    groups = await start_service("groups")
    credits = await start_service("credits")
    attendance_watch = await watch(amqp, Names(name_prefix, "groups"), AttendanceRecorded)
    supervisees = [uuid.uuid4() for _ in range(4)]
    facilitator = uuid.uuid4()
    async with groups.client(role=None) as client:
        created = await client.post(
            "/groups",
            json={
                "kind": "peer_supervision",
                "language": "fr",
                "region": "Nouveau-Brunswick",
                "member_ids": [str(p) for p in supervisees],
            },
            headers=STAFF,
        )
        group_id = created.json()["id"]
        # The facilitator of a peer-supervision group is appointed by staff, not by a member.
        refused = await client.put(
            f"/groups/{group_id}/facilitator",
            json={"person_id": str(facilitator)},
            headers=member(supervisees[0]),
        )
        assert refused.status_code == 403
        appointed = await client.put(
            f"/groups/{group_id}/facilitator", json={"person_id": str(facilitator)}, headers=STAFF
        )
        assert appointed.status_code == 204
        meeting = await client.post(
            f"/groups/{group_id}/meetings",
            json={
                "starts_at": STARTS.isoformat(),
                "ends_at": (STARTS + timedelta(minutes=90)).isoformat(),
                "modality": "hybrid",
                "venue": "Moncton office, room 2",
            },
            headers=member(facilitator),
        )
        assert meeting.status_code == 201, meeting.text
        meeting_id = meeting.json()["id"]
        minutes = [90, 90, 75, 30]  # the last left early: below three quarters of the meeting
        sheet = {
            "attendees": [
                {"person_id": str(p), "minutes": m} for p, m in zip(supervisees, minutes, strict=True)
            ]
        }
        path = f"/groups/{group_id}/meetings/{meeting_id}/attendance"
        assert (await client.put(path, json=sheet, headers=member(supervisees[0]))).status_code == 403
        assert (await client.put(path, json=sheet, headers=member(facilitator))).json() == {"changed": 4}
        assert (await client.put(path, json=sheet, headers=member(facilitator))).json() == {"changed": 0}

    recorded = await collect(attendance_watch, 4)
    assert sorted((e["data"]["person_id"], e["data"]["minutes_attended"]) for e in recorded) == sorted(
        (str(p), m) for p, m in zip(supervisees, minutes, strict=True)
    )
    assert {e["data"]["gathering_id"] for e in recorded} == {meeting_id}
    async with credits.client() as client:
        ledgers = [await _ledger(client, person_id, 1) for person_id in supervisees[:3]]
        assert [[(e["kind"], Decimal(e["hours"]), e["category"]) for e in ledger] for ledger in ledgers] == [
            [("award", Decimal(hours), "peer_supervision")] for hours in ("1.5", "1.5", "1.25")
        ]
        await asyncio.sleep(0.5)
        assert (await client.get(f"/people/{supervisees[3]}/ledger")).json() == []


async def test_membership_and_erasure(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    groups = await start_service("groups")
    news = await watch(amqp, Names(name_prefix, "groups"), GroupMemberJoined, GroupMemberLeft)
    facilitator = uuid.uuid4()
    joiner, asker, invitee = someone("en"), someone("en"), someone("en")
    for who in (joiner, asker, invitee):
        await publish(amqp, name_prefix, ticket(uuid.uuid4(), who))
    async with groups.client(role=None) as client:
        open_group = (
            await client.post("/groups", json={"kind": "advocacy_campaign", "language": "en"}, headers=STAFF)
        ).json()["id"]
        joined = await client.post(f"/groups/{open_group}/join", headers=member(joiner.person_id))
        assert joined.json()["place"] == "member"
        closed = await _peer_support_group(client, [uuid.uuid4() for _ in range(3)], facilitator)
        asked = await client.post(f"/groups/{closed}/join", headers=member(asker.person_id))
        assert asked.json()["place"] == "requested"
        waiting = await client.get(f"/groups/{closed}/requests", headers=member(facilitator))
        assert waiting.json() == [str(asker.person_id)]
        approve = f"/groups/{closed}/requests/{asker.person_id}/approve"
        assert (await client.post(approve, headers=member(asker.person_id))).status_code == 403
        assert (await client.post(approve, headers=member(facilitator))).json()["place"] == "member"
        invited = await client.post(
            f"/groups/{closed}/invitations",
            json={"person_id": str(invitee.person_id)},
            headers=member(facilitator),
        )
        assert invited.json()["place"] == "invited"
        accepted = await client.post(
            f"/groups/{closed}/invitations/accept", headers=member(invitee.person_id)
        )
        assert accepted.json()["place"] == "member"
        left = await client.post(f"/groups/{open_group}/leave", headers=member(joiner.person_id))
        assert left.json()["place"] == "left"

        await publish(
            amqp,
            name_prefix,
            PersonErasureRequested(email=invitee.email, requested_at=datetime.now(UTC)),
            times=2,
        )
        async with asyncio.timeout(20):
            while (
                str(invitee.person_id) in (await client.get(f"/groups/{closed}/members", headers=STAFF)).text
            ):
                await asyncio.sleep(0.1)
        detail = (await client.get(f"/groups/{closed}", headers=STAFF)).json()
        assert (detail["member_count"], detail["formed_size"]) == (5, 4)

    seen = await collect(news, 5)  # joined: joiner, asker, invitee; left: joiner, invitee
    seen += await drain(news)
    told = [(e["type"].split(".")[-2], e["data"]["person_id"]) for e in seen]
    assert ("group_member_left", str(joiner.person_id)) in told
    assert told.count(("group_member_left", str(invitee.person_id))) == 1  # once, though asked twice
    assert ("group_member_joined", str(asker.person_id)) in told


async def test_a_gatherings_breakout_becomes_a_standing_group_of_those_who_consented(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    groups = await start_service("groups")
    breakout, elsewhere = uuid.uuid4(), uuid.uuid4()
    consented = [uuid.uuid4() for _ in range(5)]
    for gathering_id, people in ((breakout, consented), (elsewhere, [uuid.uuid4(), uuid.uuid4()])):
        for person_id in people:
            data = InterestExpressed(
                person_id=person_id,
                gathering_id=gathering_id,
                interest="best_practice_resource",
                language="fr",
            )
            await publish(amqp, name_prefix, data)
    async with groups.client(role=None) as client:
        await until(client, "/interests", 7, kind="resource_co_creation")
        answer = await client.post(
            "/groups",
            json={
                "kind": "resource_co_creation",
                "language": "fr",
                "name": {"en": "Francophone practice guide", "fr": "Guide de pratique francophone"},
                "from_gathering_id": str(breakout),
            },
            headers=STAFF,
        )
        assert answer.status_code == 201, answer.text
        assert sorted(answer.json()["members"]) == sorted(str(p) for p in consented)
        left = (await client.get("/interests", params={"kind": "resource_co_creation"}, headers=STAFF)).json()
        assert len(left) == 2


# Peer support in the justice sector: no other test's pool (they share one database).
JUSTICE = {"kind": "peer_support", "practice_area": "justice"}


async def test_staff_edit_a_proposal_and_publishing_refuses_what_changed_since(
    start_service: StartService,
) -> None:
    groups = await start_service("groups")
    people = [uuid.uuid4() for _ in range(12)]
    async with groups.client(role=None) as client:
        ids = []
        for person_id in people:  # each says so themself, through the public site
            body = {"person_id": str(person_id), **JUSTICE, "language": "en", "region": "NS"}
            answer = await client.post("/interests", json=body, headers=member(person_id))
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["id"])
        for not_them in ({}, member(uuid.uuid4())):  # a guest, or another person
            someone_else = await client.post(
                "/interests",
                json={"person_id": str(people[0]), **JUSTICE, "language": "en"},
                headers=not_them,
            )
            assert someone_else.status_code == 403
        proposal = (await client.post("/proposals", json=JUSTICE, headers=STAFF)).json()
        assert [g["size"] for g in proposal["groups"]] == [6, 6]
        base = f"/proposals/{proposal['id']}"
        first = proposal["groups"][0]["person_ids"]
        split = (
            await client.post(f"{base}/splits", json={"group": 0, "person_ids": first[:2]}, headers=STAFF)
        ).json()
        assert [g["size"] for g in split["groups"]] == [4, 2, 6]
        too_small = await client.post(f"{base}/publish", headers=STAFF)
        assert too_small.status_code == 409
        assert too_small.json()["errors"][0]["code"] == "size_out_of_bounds"
        merged = (await client.post(f"{base}/merges", json={"groups": [1, 2]}, headers=STAFF)).json()
        assert [g["size"] for g in merged["groups"]] == [4, 8]
        # Someone withdraws meanwhile: publishing refuses until staff move them out.
        leaver = merged["groups"][1]["person_ids"][0]
        withdrawn = await client.delete(
            f"/interests/{ids[people.index(uuid.UUID(leaver))]}", headers=member(leaver)
        )
        assert withdrawn.status_code == 204
        changed = await client.post(f"{base}/publish", headers=STAFF)
        assert changed.json()["errors"][0]["code"] == "pool_changed"
        moved = await client.post(
            f"{base}/moves", json={"person_id": leaver, "to_group": None}, headers=STAFF
        )
        assert moved.json()["left_in_pool"] == [leaver]
        assert (await client.post(f"{base}/publish", headers=member(people[1]))).status_code == 403
        formed = (await client.post(f"{base}/publish", headers=STAFF)).json()
        assert sorted(g["member_count"] for g in formed) == [4, 7]
        again = await client.post(f"{base}/publish", headers=STAFF)
        assert again.json()["errors"][0]["code"] == "proposal_closed"
        # Those placed are out of the pool; a second proposal finds nobody to place twice.
        assert (
            await client.get("/interests", params={"kind": "peer_support", "topic": "justice"}, headers=STAFF)
        ).json() == []
        empty = (await client.post("/proposals", json=JUSTICE, headers=STAFF)).json()
        assert (empty["groups"], empty["left_in_pool"]) == ([], [])
