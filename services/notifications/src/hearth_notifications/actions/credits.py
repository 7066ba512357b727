"""Credits' news for the person: hours recorded, a certificate issued."""

from __future__ import annotations

from datetime import datetime

from hearth_shared.contracts.catalogue import CertificateIssued, CreditsAwarded
from hearth_shared.messaging import Work

from ..domain import emails
from ..domain.people import person_of
from ..store import people
from .deliveries import links_of, send


async def announce(work: Work, news: CreditsAwarded | CertificateIssued, *, at: datetime) -> None:
    """Remember the person the event names (or find them), then tell them, if there is anything
    to tell and anyone to tell it to (a self-report or an erased person has nobody)."""
    if news.attendee is not None:
        await people.remember(work.conn, [person_of(news.attendee)], known_at=[at])
    # As found (not as the event says): in the language the person chose, if they chose one.
    to = (await people.find(work.conn, [news.person_id])).get(news.person_id)
    if to is None:
        return
    email = emails.credits_news(news, to, links_of(work))
    if email is not None:
        await send(work, [email])
