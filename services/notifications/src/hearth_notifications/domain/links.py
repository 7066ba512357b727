"""The links an email carries, every one a signed link to the public site (hearth_shared.
signed_links): never a raw API route, never an id or an address anyone could change. Ticket
emails open *My registration*, an offer its accept/decline page, the feedback request the
person's own form, every footer the email-preferences page, a non-critical email's
List-Unsubscribe the one-click opt-out of its category; a certificate's link is the public
verification page of its code."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from hearth_shared.signed_links import Purpose, SignedLinks


def registration(links: SignedLinks, ticket_id: uuid.UUID) -> str:
    return links.url(Purpose.REGISTRATION, ticket=str(ticket_id))


def offer(links: SignedLinks, entry_id: uuid.UUID) -> str:
    return links.url(Purpose.OFFER, entry=str(entry_id))


def feedback(links: SignedLinks, gathering_id: uuid.UUID, person_id: uuid.UUID) -> str:
    return links.url(Purpose.FEEDBACK, gathering=str(gathering_id), person=str(person_id))


def preferences(links: SignedLinks, person_id: uuid.UUID | None) -> str | None:
    return links.url(Purpose.PREFERENCES, person=str(person_id)) if person_id else None


def unsubscribe(links: SignedLinks, person_id: uuid.UUID | None, category: str) -> str | None:
    return links.url(Purpose.UNSUBSCRIBE, person=str(person_id), category=category) if person_id else None


def verification(links: SignedLinks, code: str) -> str:
    """The gateway's public page that answers whether a certificate is valid."""
    return f"{links.public_url}/verify/{quote(code, safe='')}"
