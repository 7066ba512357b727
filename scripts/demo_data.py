"""Demo data drawn from the seed texts (../shared/seeds/): the gatherings, dates and places of real
communities of practice of social workers. The people are invented (never the names in the seeds).

- the December quarterly community-of-practice virtual gathering, noon America/Halifax, with a
  French-speaking breakout that a practicum student supports; member and non-member tickets
  (other regulated professions welcome);
- the June noon gathering with a breakout for French-speaking participants;
- last September's quarterly gathering, attended, whose feedback wishes start practice-area circles
  (housing & poverty, justice, clinical practice: draft proposals for staff) and peer supervision;
- a peer-supervision group meeting monthly, its meetings earning CPD;
- the London inter-borough networking evening, 1 October 18:00–21:30 Europe/London;
- the annual support conference for social work students and newly qualified social workers.

Dates are the next ones to come (the September gathering: the last one past), so the demo always
shows upcoming gatherings. Loading is idempotent: each part is keyed by its gathering's title or its
group's name and skipped when it exists (a part interrupted halfway is not completed on rerun).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aio_pika
import httpx

from hearth_shared.contracts.catalogue import MembershipStatus, MemberUpserted
from hearth_shared.contracts.envelope import new_event
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event

HALIFAX, LONDON = "America/Halifax", "Europe/London"
JOIN = "https://video.example.org/j/"  # never a real meeting room


def _at(day: date, hour: int, minute: int, zone: str) -> str:
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).isoformat()


def next_date(month: int, day: int, *, past: bool = False, today: date | None = None) -> date:
    """The next `month`/`day` to come (or, with `past`, the last one gone)."""
    today = today or datetime.now(UTC).date()
    this_year = date(today.year, month, day)
    if past:
        return this_year if this_year < today else this_year.replace(year=today.year - 1)
    return this_year if this_year > today else this_year.replace(year=today.year + 1)


def first_tuesdays(after: date, count: int) -> list[date]:
    """The first Tuesday of each of the `count` months after `after`'s month."""
    found = []
    month_start = after.replace(day=1)
    for _ in range(count):
        month_start = (month_start + timedelta(days=32)).replace(day=1)
        found.append(month_start + timedelta(days=(1 - month_start.weekday()) % 7))
    return found


def _bilingual(en: str, fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr}


FRENCH_BREAKOUT = {
    "name": _bilingual("French-speaking breakout", "Salle en français"),
    "language": "fr",
    "capacity": 60,
}
AREA_BREAKOUTS = [
    {"name": _bilingual(en, fr), "language": "en", "practice_area": area, "capacity": 150}
    for en, fr, area in (
        ("Housing and poverty", "Logement et pauvreté", "housing_and_poverty"),
        ("Justice", "Justice", "justice"),
        ("Clinical practice", "Pratique clinique", "clinical"),
    )
]
COP_CREDIT = {
    "hours": "1.5",
    "minimum_attendance_fraction": "0.75",
    "category": "community_of_practice",
    "requires_feedback": True,
}
COP_DESCRIPTION = _bilingual(
    "Social workers from across the province meet to share practice, reduce vicarious stress and "
    "earn professional-development credit. A social work student completing their practicum with "
    "the College supports the French-speaking breakout and gathers resources in French.",
    "Des travailleuses et travailleurs sociaux de toute la province se réunissent pour échanger sur "
    "leur pratique, réduire le stress vicariant et obtenir des crédits de perfectionnement "
    "professionnel. Une personne étudiante en stage au Collège soutient la salle en français et "
    "rassemble des ressources en français.",
)


def quarterly(day: date, title_en: str, title_fr: str) -> dict[str, Any]:
    return {
        "title": _bilingual(title_en, title_fr),
        "description": COP_DESCRIPTION,
        "kind": "community_of_practice",
        "modality": "virtual",
        "starts_at": _at(day, 12, 0, HALIFAX),
        "ends_at": _at(day, 13, 30, HALIFAX),
        "time_zone": HALIFAX,
        "capacity": 500,
        "join_url": JOIN + "cop-quarterly",
        "credit_policy": COP_CREDIT,
        "ticket_types": [
            {"kind": "member", "price_cents": 0},
            {"kind": "non_member", "price_cents": 2500},
            {"kind": "student", "price_cents": 0},
        ],
        "status": "open",
    }


def gatherings() -> dict[str, dict[str, Any]]:
    """The demo's gatherings by part, with their breakouts under `breakouts`."""
    june = next_date(6, 2)
    return {
        "december": quarterly(
            next_date(12, 15),
            "December quarterly community of practice — virtual gathering",
            "Communauté de pratique trimestrielle de décembre — rencontre virtuelle",
        )
        | {"breakouts": [FRENCH_BREAKOUT, *AREA_BREAKOUTS]},
        "september": quarterly(
            next_date(9, 15, past=True),
            "September quarterly community of practice — virtual gathering",
            "Communauté de pratique trimestrielle de septembre — rencontre virtuelle",
        )
        | {"breakouts": [FRENCH_BREAKOUT, *AREA_BREAKOUTS]},
        "june": {
            "title": _bilingual("June noon community of practice", "Communauté de pratique du midi, juin"),
            "description": _bilingual(
                "An hour at noon, with a breakout conversation for French-speaking participants.",
                "Une heure à midi, avec une conversation en petit groupe pour les participants francophones.",
            ),
            "kind": "community_of_practice",
            "modality": "virtual",
            "starts_at": _at(june, 12, 0, HALIFAX),
            "ends_at": _at(june, 13, 0, HALIFAX),
            "time_zone": HALIFAX,
            "capacity": 200,
            "join_url": JOIN + "cop-noon",
            "credit_policy": COP_CREDIT | {"hours": "1", "requires_feedback": False},
            "ticket_types": [{"kind": "member", "price_cents": 0}, {"kind": "non_member", "price_cents": 0}],
            "status": "open",
            "breakouts": [FRENCH_BREAKOUT],
        },
        "london": {
            "title": _bilingual(
                "Inter-borough networking evening for social workers — London",
                "Soirée de réseautage interarrondissements des travailleurs sociaux — Londres",
            ),
            "description": _bilingual(
                "Every borough and beyond, the counties and the voluntary sector: meet the social "
                "workers around you and keep in touch.",
                "Tous les arrondissements et au-delà, les comtés et le secteur bénévole : rencontrez "
                "les travailleurs sociaux autour de vous.",
            ),
            "kind": "networking_evening",
            "modality": "in_person",
            "starts_at": _at(next_date(10, 1), 18, 0, LONDON),
            "ends_at": _at(next_date(10, 1), 21, 30, LONDON),
            "time_zone": LONDON,
            "capacity": 120,
            "venue": "Community hall",
            "address": "London",
            "status": "open",
        },
        "conference": {
            "title": _bilingual(
                "Annual support conference for social work students and newly qualified social workers",
                "Conférence annuelle de soutien pour les étudiants en travail social et les nouveaux "
                "diplômés",
            ),
            "description": _bilingual(
                "A day of talks and peer support for students and those in their first years of "
                "practice: confidence and competence, and the network to keep them.",
                "Une journée de conférences et de soutien entre pairs pour les étudiants et les "
                "personnes en début de pratique.",
            ),
            "kind": "conference",
            "modality": "in_person",
            "starts_at": _at(next_date(4, 24), 9, 30, LONDON),
            "ends_at": _at(next_date(4, 24), 16, 30, LONDON),
            "time_zone": LONDON,
            "capacity": 250,
            "venue": "Conference centre",
            "address": "London",
            "credit_policy": {
                "hours": "6",
                "minimum_attendance_fraction": "0.75",
                "category": "formal_learning",
            },
            "ticket_types": [
                {"kind": "student", "price_cents": 0},
                {"kind": "non_member", "price_cents": 1500},
            ],
            "status": "open",
        },
    }


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    language: str = "en"
    profession: str = "Social worker"
    regulatory_body: str = "Nova Scotia College of Social Workers"
    region: str = "Nova Scotia"
    member_id: str | None = None

    def ticket(self, kind: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "email": self.email,
            "preferred_language": self.language,
            "ticket_type": kind,
        }
        if kind == "non_member":
            body |= {
                "profession": self.profession,
                "regulatory_body": self.regulatory_body,
                "region": self.region,
                "attests_regulated_profession": True,
            }
        return body


MEMBERS = [
    Person("Maëlle Arsenault", "maelle.arsenault@example.org", "fr", member_id="DEMO-1001"),
    Person("Devon Okafor", "devon.okafor@example.org", member_id="DEMO-1002"),
    Person("Priya Raman", "priya.raman@example.org", member_id="DEMO-1003"),
    Person("Étienne Boudreau", "etienne.boudreau@example.org", "fr", member_id="DEMO-1004"),
]
NON_MEMBERS = [
    Person("Sam Whitford", "sam.whitford@example.org", regulatory_body="Ontario College of Social Workers",
           region="Ontario"),
    Person("Aisha MacLeod", "aisha.macleod@example.org", profession="Registered nurse",
           regulatory_body="Nova Scotia College of Nursing"),
    Person("Lucas Thibodeau", "lucas.thibodeau@example.org", "fr", profession="Psychologist",
           regulatory_body="Nova Scotia Board of Examiners in Psychology"),
    Person("Grace Osei", "grace.osei@example.org"),
]  # fmt: skip
STUDENT = Person("Chloé LeBlanc", "chloe.leblanc@example.org", "fr", profession="Social work student")
LONDONERS = [
    Person("Tom Adeyemi", "tom.adeyemi@example.org", regulatory_body="Social Work England", region="London"),
    Person("Hannah Price", "hannah.price@example.org", regulatory_body="Social Work England", region="Kent"),
]
ATTENDEES = MEMBERS + NON_MEMBERS  # September: everyone who came gives feedback
# Which practice-area circles each attendee wished for in September's feedback (six or more each,
# the smallest circle, so each area's draft proposal holds a group).
CIRCLE_WISHES = {
    "housing_and_poverty": ATTENDEES[:6],
    "justice": ATTENDEES[1:7],
    "clinical": ATTENDEES[2:8],
}
SUPERVISION = ATTENDEES[1:6]  # wished for peer supervision; the group staff form from them
SUPERVISION_GROUP = _bilingual(
    "Peer supervision — Nova Scotia", "Supervision par les pairs — Nouvelle-Écosse"
)


def follow_up(person: Person) -> list[dict[str, Any]]:
    """The person's September wishes: peer supervision, and each practice-area circle (the circles
    meet in English, as the September breakouts did)."""
    wishes: list[dict[str, Any]] = [{"interest": "peer_supervision"}] if person in SUPERVISION else []
    return wishes + [
        {"interest": "practice_area_circle", "practice_area": area, "language": "en"}
        for area, who in CIRCLE_WISHES.items()
        if person in who
    ]


class Demo:
    """The calls the demo makes, as staff with a service token (services answer only the gateway)."""

    def __init__(self, client: httpx.AsyncClient, urls: dict[str, str], amqp_url: str) -> None:
        self.client, self.urls, self.amqp_url = client, urls, amqp_url

    async def call(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.client.request(method, self.urls[service] + path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(
                f"demo data: {method} {service}{path} → {response.status_code} {response.text}"
            )
        return response.json() if response.content else None

    async def existing_titles(self) -> set[str]:
        return {g["title"]["en"] for g in await self.call("registration", "GET", "/gatherings")}

    async def schedule(self, gathering: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """The gathering's id and its breakouts' ids by language or practice area."""
        body = {k: v for k, v in gathering.items() if k != "breakouts"}
        gathering_id = (await self.call("registration", "POST", "/gatherings", json=body))["id"]
        breakouts = {}
        for breakout in gathering.get("breakouts", []):
            made = await self.call(
                "registration", "POST", f"/gatherings/{gathering_id}/breakouts", json=breakout
            )
            breakouts[breakout.get("practice_area") or breakout["language"]] = made["id"]
        return gathering_id, breakouts

    async def buy(self, gathering_id: str, person: Person, kind: str, breakout: str | None = None) -> str:
        """The person's id. A member ticket waits (a few seconds) for the register's event to arrive."""
        body = person.ticket(kind) | ({"breakout_id": breakout} if breakout else {})
        key = {"Idempotency-Key": f"demo:{gathering_id}:{person.email}"}
        for _ in range(100):
            path = self.urls["registration"] + f"/gatherings/{gathering_id}/tickets"
            response = await self.client.post(path, json=body, headers=key)
            if response.status_code in (200, 201, 202):
                made = response.json()  # the ticket, or the waitlist entry of a full gathering
                return str((made.get("ticket") or made.get("waitlist_entry") or made)["person_id"])
            if response.status_code != 422 or kind != "member":
                break
            await asyncio.sleep(0.2)  # the membership is still on its way from the broker
        raise RuntimeError(f"demo data: ticket for {person.email} → {response.status_code} {response.text}")

    async def pooled(self, kind: str, topic: str, person_ids: set[str], timeout: float = 60) -> None:
        """Wait until groups' interest pool holds these people's interest (it arrives by the broker)."""
        query = {"kind": kind, "topic": topic}
        async with asyncio.timeout(timeout):
            while not person_ids <= {
                i["person_id"] for i in await self.call("groups", "GET", "/interests", params=query)
            }:
                await asyncio.sleep(0.2)

    async def publish_members(self) -> None:
        """The membership register's records of the demo members, as the register publishes them."""
        connection = await aio_pika.connect_robust(self.amqp_url)
        async with connection:
            for person in MEMBERS:
                assert person.member_id is not None
                data = MemberUpserted(
                    member_id=person.member_id,
                    registration_number=f"NS-{person.member_id}",
                    name=person.name,
                    email=person.email,
                    preferred_language=person.language,
                    status=MembershipStatus.ACTIVE,
                    changed_at=datetime.now(UTC),
                )
                event = new_event(
                    data, source="demo/membership-register", event_id=f"demo-{person.member_id}"
                )
                await publish_event(
                    connection, Names(os.environ.get("HEARTH_NAME_PREFIX", ""), "demo"), event
                )


async def upcoming(demo: Demo, parts: dict[str, dict[str, Any]], titles: set[str]) -> None:
    """December, June, London and the conference, with their tickets."""
    if (december := parts["december"])["title"]["en"] not in titles:
        gathering_id, breakouts = await demo.schedule(december)
        for person in MEMBERS:
            await demo.buy(gathering_id, person, "member")
        for person in NON_MEMBERS:
            await demo.buy(gathering_id, person, "non_member")
        await demo.buy(gathering_id, STUDENT, "student", breakouts["fr"])  # the practicum student
    if (june := parts["june"])["title"]["en"] not in titles:
        gathering_id, _ = await demo.schedule(june)
        for person in (MEMBERS[0], MEMBERS[3], NON_MEMBERS[2]):  # the French speakers
            await demo.buy(gathering_id, person, "member" if person.member_id else "non_member")
    if (london := parts["london"])["title"]["en"] not in titles:
        gathering_id, _ = await demo.schedule(london)
        for person in LONDONERS:
            await demo.buy(gathering_id, person, "free")
    if (conference := parts["conference"])["title"]["en"] not in titles:
        gathering_id, _ = await demo.schedule(conference)
        await demo.buy(gathering_id, STUDENT, "student")
        await demo.buy(gathering_id, LONDONERS[0], "non_member")


async def september(demo: Demo, gathering: dict[str, Any]) -> None:
    """Last September's gathering, attended; its feedback wishes fill the groups' interest pool, from
    which the circles' draft proposals and the peer-supervision group are formed."""
    gathering_id, _ = await demo.schedule(gathering)
    people = {}
    for person in ATTENDEES:
        people[person.email] = await demo.buy(
            gathering_id, person, "member" if person.member_id else "non_member"
        )
    await demo.call(
        "registration",
        "POST",
        f"/gatherings/{gathering_id}/check-ins",
        json={"person_ids": list(people.values())},
    )
    for person in ATTENDEES:
        await demo.call(
            "registration",
            "POST",
            f"/gatherings/{gathering_id}/feedback",
            json={"email": person.email, "benefit_rating": 5, "follow_up": follow_up(person)},
        )
    # Registration announces each wish (InterestExpressed); groups pools it, then staff draft.
    for area, who in CIRCLE_WISHES.items():
        await demo.pooled("practice_area_circle", area, {people[p.email] for p in who})
        await demo.call(
            "groups", "POST", "/proposals", json={"kind": "practice_area_circle", "practice_area": area}
        )
    await supervision_group(demo, [people[p.email] for p in SUPERVISION])


async def supervision_group(demo: Demo, member_ids: list[str]) -> None:
    """Peer supervision meets monthly (first Tuesday, noon, an hour and a half); its meetings earn CPD."""
    group = await demo.call(
        "groups",
        "POST",
        "/groups",
        json={
            "kind": "peer_supervision",
            "language": "en",
            "name": SUPERVISION_GROUP,
            "region": "Nova Scotia",
            "purpose": "Reflect on cases and ethical dilemmas together, with an appointed facilitator.",
            "time_zone": HALIFAX,
            "rhythm": "monthly, first Tuesday at noon",
            "facilitator_id": member_ids[0],
            "member_ids": member_ids,
        },
    )
    for day in first_tuesdays(datetime.now(UTC).date(), 6):
        await demo.call(
            "groups",
            "POST",
            f"/groups/{group['id']}/meetings",
            json={
                "starts_at": _at(day, 12, 0, HALIFAX),
                "ends_at": _at(day, 13, 30, HALIFAX),
                "modality": "virtual",
                "join_url": JOIN + "peer-supervision",
            },
        )


async def load_demo_data(client: httpx.AsyncClient, urls: dict[str, str], amqp_url: str) -> None:
    """Load what is not there yet. `client` carries a staff service token; `urls` names each
    service's base URL; `amqp_url` is the broker (the demo members arrive as the register's events)."""
    demo = Demo(client, urls, amqp_url)
    titles = await demo.existing_titles()
    parts = gatherings()
    if not {parts["december"]["title"]["en"], parts["september"]["title"]["en"]} <= titles:
        await demo.publish_members()
    await upcoming(demo, parts, titles)
    if parts["september"]["title"]["en"] not in titles:
        await september(demo, parts["september"])
