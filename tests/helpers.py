"""Small helpers shared by the cross-service tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from hearth_testing.processes import ServiceProcess


def gathering_body(capacity: int = 50, **overrides: Any) -> dict[str, Any]:
    starts = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)
    body: dict[str, Any] = {
        "title": {
            "en": "Quarterly community of practice",
            "fr": "Communauté de pratique trimestrielle",
        },
        "kind": "community_of_practice",
        "modality": "virtual",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=90)).isoformat(),
        "time_zone": "America/Halifax",
        "capacity": capacity,
        "join_url": "https://video.example.org/j/quarterly",
    }
    return body | overrides


async def schedule_gathering(registration: ServiceProcess, **overrides: Any) -> str:
    async with httpx.AsyncClient(base_url=registration.url) as client:
        response = await client.post("/gatherings", json=gathering_body(**overrides))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def person(language: str = "en") -> dict[str, str]:
    tag = uuid.uuid4().hex[:10]
    return {
        "name": f"Sam Tremblay {tag}",
        "email": f"sam.{tag}@example.org",
        "preferred_language": language,
    }
