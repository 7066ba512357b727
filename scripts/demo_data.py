"""Demo data drawn from real gatherings of social workers' communities of practice. The people
are invented (never the names in the seed texts)."""

from __future__ import annotations

from typing import Any

import httpx

GATHERINGS: list[dict[str, Any]] = [
    {
        "title": {
            "en": "Quarterly community of practice — virtual gathering (French breakout)",
            "fr": "Communauté de pratique trimestrielle — rencontre virtuelle (salle en français)",
        },
        "kind": "community_of_practice",
        "modality": "virtual",
        "starts_at": "2027-03-11T12:00:00-04:00",
        "ends_at": "2027-03-11T13:30:00-04:00",
        "time_zone": "America/Halifax",
        "capacity": 500,
        "join_url": "https://video.example.org/j/cop-quarterly",
        "credit_policy": {
            "hours": "1.5",
            "minimum_attendance_fraction": "0.75",
            "category": "community_of_practice",
            "requires_feedback": True,
        },
        "ticket_types": [{"kind": "member", "price_cents": 0}, {"kind": "non_member", "price_cents": 2500}],
        "breakouts": [
            {"name": {"en": "French breakout", "fr": "Salle en français"}, "language": "fr", "capacity": 100},
            {
                "name": {"en": "Housing and poverty", "fr": "Logement et pauvreté"},
                "language": "en",
                "practice_area": "housing_and_poverty",
                "capacity": 200,
            },
            {
                "name": {"en": "Justice", "fr": "Justice"},
                "language": "en",
                "practice_area": "justice",
                "capacity": 200,
            },
        ],
    },
    {
        "title": {
            "en": "Noon gathering: housing and poverty practice circle",
            "fr": "Rencontre du midi : cercle de pratique logement et pauvreté",
        },
        "kind": "community_of_practice",
        "modality": "virtual",
        "starts_at": "2027-01-20T12:00:00-04:00",
        "ends_at": "2027-01-20T13:00:00-04:00",
        "time_zone": "America/Halifax",
        "capacity": 120,
        "join_url": "https://video.example.org/j/noon-housing",
        "credit_policy": {
            "hours": "1",
            "minimum_attendance_fraction": "0.5",
            "category": "community_of_practice",
        },
    },
    {
        "title": {
            "en": "London social workers' networking evening",
            "fr": "Soirée de réseautage des travailleuses et travailleurs sociaux de Londres",
        },
        "kind": "networking_evening",
        "modality": "in_person",
        "starts_at": "2027-04-15T18:00:00+01:00",
        "ends_at": "2027-04-15T21:30:00+01:00",
        "time_zone": "Europe/London",
        "capacity": 80,
        "venue": "Community hall",
        "address": "Camden, London",
    },
]

# What a non-member attests (the demo people are not on the membership register).
NON_MEMBER = {
    "profession": "Social worker",
    "regulatory_body": "Nova Scotia College of Social Workers",
    "region": "Nova Scotia",
    "attests_regulated_profession": True,
}

PEOPLE = [
    {"name": "Maëlle Arsenault", "email": "maelle.arsenault@example.org", "preferred_language": "fr"},
    {"name": "Devon Okafor", "email": "devon.okafor@example.org", "preferred_language": "en"},
]


async def load_demo_data(client: httpx.AsyncClient, registration: str) -> None:
    """Schedule the demo gatherings and a few tickets, once (skipped when they already exist).
    `client` calls as staff who may schedule (it carries a service token: services answer only
    the gateway)."""
    existing = {g["title"]["en"] for g in (await client.get(f"{registration}/gatherings")).json()}
    for gathering in GATHERINGS:
        if gathering["title"]["en"] in existing:
            continue
        breakouts = gathering.get("breakouts", [])
        body = {k: v for k, v in gathering.items() if k != "breakouts"}
        response = await client.post(f"{registration}/gatherings", json=body)
        response.raise_for_status()
        gathering_id = response.json()["id"]
        for breakout in breakouts:
            (
                await client.post(f"{registration}/gatherings/{gathering_id}/breakouts", json=breakout)
            ).raise_for_status()
        for person in PEOPLE:
            await client.post(
                f"{registration}/gatherings/{gathering_id}/tickets",
                json=person
                | {"ticket_type": body.get("ticket_types", [{"kind": "free"}])[-1]["kind"]}
                | NON_MEMBER,
                headers={"Idempotency-Key": f"demo:{gathering_id}:{person['email']}"},
            )
