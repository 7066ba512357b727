"""Credits' news for the person: hours recorded, a certificate issued."""

from __future__ import annotations

from datetime import datetime

from hearth_shared.contracts.catalogue import CertificateIssued, CreditsAwarded
from hearth_shared.messaging import Work

from ..domain import emails
from ..domain.people import person_of
from ..store import people
from .deliveries import send


async def announce(
    work: Work, news: CreditsAwarded | CertificateIssued, *, at: datetime, credits_url: str
) -> None:
    """Remember the person the event names (or find them), then tell them, if there is anything
    to tell and anyone to tell it to (a self-report or an erased person has nobody)."""
    to = person_of(news.attendee) if news.attendee is not None else None
    if to is not None:
        await people.remember(work.conn, [to], known_at=[at])
    else:
        to = (await people.find(work.conn, [news.person_id])).get(news.person_id)
    if to is None:
        return
    email = emails.credits_news(news, to, credits_url)
    if email is not None:
        await send(work, [email])
