"""The first slice, end to end: a ticket bought over HTTP becomes a confirmation email."""

from __future__ import annotations

import httpx

from hearth_testing.fixtures import StartService
from hearth_testing.smtp import SmtpSink

from .helpers import person, schedule_gathering


async def test_ticket_bought_over_http_is_confirmed_by_email_in_the_attendees_language(
    start_service: StartService, smtp_sink: SmtpSink
) -> None:
    registration = await start_service("registration")
    notifications = await start_service(
        "notifications", smtp_host="127.0.0.1", smtp_port=smtp_sink.port
    )
    gathering_id = await schedule_gathering(registration)
    francophone = person("fr")

    async with httpx.AsyncClient(base_url=registration.url) as client:
        response = await client.post(
            f"/gatherings/{gathering_id}/tickets",
            json=francophone,
            headers={"Idempotency-Key": "k1"},
        )
    assert response.status_code == 201, response.text
    correlation_id = response.headers["X-Correlation-Id"]

    [email] = await smtp_sink.wait_for(francophone["email"])
    assert email["Subject"] == "Votre place est confirmée : Communauté de pratique trimestrielle"
    text = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"Bonjour {francophone['name']}" in text
    # 16:00 UTC on 11 March 2027 is 12:00 in Halifax: still AST (UTC-4); DST starts 14 March.
    assert "jeudi 11 mars 2027" in text and "12 h 00" in text
    assert "https://video.example.org/j/quarterly" in text
    assert email["X-Hearth-Correlation-Id"] == correlation_id

    def lines_for(process: object, event: str) -> list[dict[str, object]]:
        return [
            line
            for line in process.logs()  # type: ignore[attr-defined]
            if line.get("event") == event and line.get("correlation_id") == correlation_id
        ]

    assert lines_for(registration, "ticket purchased")
    assert lines_for(notifications, "email sent")
