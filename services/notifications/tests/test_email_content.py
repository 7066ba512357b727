"""What emails say, without I/O: language, local time across DST, escaping."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hearth_notifications import domain
from hearth_shared.contracts.catalogue import Bilingual, GatheringSnapshot, Modality


@pytest.mark.parametrize(
    ("utc_start", "zone", "language", "expected"),
    [
        # Halifax: AST (UTC-4) until 14 March 2027, ADT (UTC-3) after.
        (datetime(2027, 3, 11, 16, 0), "America/Halifax", "en", "12:00"),
        (datetime(2027, 3, 18, 16, 0), "America/Halifax", "en", "1:00"),
        (datetime(2027, 3, 18, 16, 0), "America/Halifax", "fr", "13 h 00"),
        # London: GMT until 28 March 2027, BST after; the networking evening starts at 18:00.
        (datetime(2027, 3, 25, 18, 0), "Europe/London", "en", "6:00"),
        (datetime(2027, 4, 1, 17, 0), "Europe/London", "en", "6:00"),
        (datetime(2027, 4, 1, 17, 0), "Europe/London", "fr", "18 h 00"),
    ],
)
def test_times_are_written_in_the_gatherings_zone_across_dst(
    utc_start: datetime, zone: str, language: str, expected: str
) -> None:
    start = utc_start.replace(tzinfo=UTC)
    text = domain.when(start, start + timedelta(hours=1), zone, language)  # type: ignore[arg-type]
    assert expected in text


def snapshot(title_en: str = "Networking evening") -> GatheringSnapshot:
    start = datetime(2027, 4, 1, 17, 0, tzinfo=UTC)
    return GatheringSnapshot(
        gathering_id=uuid.uuid4(),
        title=Bilingual(en=title_en, fr="Soirée de réseautage"),
        modality=Modality.IN_PERSON,
        starts_at=start,
        ends_at=start + timedelta(hours=3, minutes=30),
        time_zone="Europe/London",
        venue="Camden, London",
    )


def test_the_confirmation_is_written_in_the_attendees_language() -> None:
    english = domain.ticket_confirmation(snapshot(), "Riley", "riley@example.org", "en")
    french = domain.ticket_confirmation(snapshot(), "Riley", "riley@example.org", "fr")
    assert english.subject == "Your place is confirmed: Networking evening"
    assert french.subject == "Votre place est confirmée : Soirée de réseautage"
    assert "6:00" in english.text
    assert "9:30" in english.text
    assert "Camden, London" in english.text
    assert "18 h 00" in french.text
    assert "21 h 30" in french.text
    assert "Join online" not in english.text  # in person: no join link


def test_html_is_escaped_but_plain_text_is_not() -> None:
    email = domain.ticket_confirmation(snapshot("Tea & <b>talk</b>"), "Ana", "a@example.org", "en")
    assert "Tea &amp; &lt;b&gt;talk&lt;/b&gt;" in email.html
    assert "Tea & <b>talk</b>" in email.text


@pytest.mark.parametrize(("code", "permanent"), [(550, True), (554, True), (421, False), (None, False)])
def test_only_5xx_smtp_replies_are_permanent(code: int | None, permanent: bool) -> None:
    assert domain.is_permanent_smtp_failure(code) is permanent
