"""A person's details taken out of an event body, so erasure reaches what the kit keeps (outbox
rows, parked messages, the unrouted queue). Pure: no I/O, unit-tested.

An object *about* the person — its `person_id` is one of theirs, or its `email` is their address —
loses its personal fields: `name` becomes `erased`, `email` an address that names no one, free
text (`comments`) goes. Any other text that quotes the address has it replaced. The result still
satisfies the contract (an unpublished outbox row is yet to be published, a parked one may be
replayed): the address is a deliverable-looking one under `.example` (RFC 2606), since the
contracts' email type refuses `.invalid`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

ERASED_NAME = "erased"
ERASED_TEXT = "<erased>"
_FREE_TEXT = ("comments",)  # personal free text an object about the person may carry


def pseudonymous_email(person_id: str | None) -> str:
    """An address that names no one: unique per person when the object names one."""
    return f"erased-{person_id}@erased.example" if person_id else "erased@erased.example"


@dataclass(frozen=True)
class Erased:
    """Whom to take out: their address and the person ids a service knows them by."""

    email: str
    person_ids: frozenset[str] = frozenset()

    @property
    def needles(self) -> list[str]:
        """Lowercased strings whose presence in a body makes it worth reading."""
        return [self.email.strip().lower(), *sorted(self.person_ids)]

    def is_about(self, part: dict[str, Any]) -> bool:
        email = part.get("email")
        if isinstance(email, str) and email.strip().lower() == self.email.strip().lower():
            return True
        return str(part.get("person_id", "")).lower() in self.person_ids

    def with_ids_of(self, document: Any) -> Erased:
        """The same, with the person ids of the objects in `document` that carry their address
        (a ticket's attendee names both), so a later event naming only the id is found too."""
        found = set(self.person_ids)
        for part in _objects(document):
            if self.is_about(part) and isinstance(part.get("person_id"), str):
                found.add(part["person_id"].lower())
        return Erased(self.email, frozenset(found))


def erased(email: str, person_ids: Any = ()) -> Erased:
    return Erased(email.strip().lower(), frozenset(str(p).lower() for p in person_ids))


def _objects(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict):
        return [document, *(o for value in document.values() for o in _objects(value))]
    if isinstance(document, list):
        return [o for value in document for o in _objects(value)]
    return []


def redact(document: Any, who: Erased) -> Any:
    """`document` (parsed JSON) without `who`'s details."""
    if isinstance(document, list):
        return [redact(value, who) for value in document]
    if isinstance(document, str):
        return _without_address(document, who.email)
    if not isinstance(document, dict):
        return document
    out = {key: redact(value, who) for key, value in document.items()}
    if who.is_about(document):
        person_id = document.get("person_id")
        if "name" in out and isinstance(out["name"], str):
            out["name"] = ERASED_NAME
        if "email" in out:
            out["email"] = pseudonymous_email(str(person_id) if person_id else None)
        for key in _FREE_TEXT:
            if key in out:
                out[key] = None
    return out


def _without_address(text: str, email: str) -> str:
    if email not in text.lower():
        return text
    if text.strip().lower() == email:
        return pseudonymous_email(None)
    return re.sub(re.escape(email), ERASED_TEXT, text, flags=re.IGNORECASE)


def redact_text(value: Any, who: Erased) -> Any:
    """A header's value without the address (other values as they are)."""
    return _without_address(value, who.email) if isinstance(value, str) else value


def mentions(body: bytes, who: Erased) -> bool:
    text = body.decode(errors="replace").lower()
    return any(needle in text for needle in who.needles)


def redact_body(body: bytes, who: Erased) -> bytes | None:
    """The body without `who`'s details, or None when it names them not (or is no JSON: then
    only the address is replaced, as text)."""
    if not mentions(body, who):
        return None
    try:
        document = json.loads(body)
    except ValueError:
        text = body.decode(errors="replace")
        cleaned = _without_address(text, who.email)
        return cleaned.encode() if cleaned != text else None
    cleaned = redact(document, who)
    if cleaned == document:
        return None
    return json.dumps(cleaned, ensure_ascii=False, separators=(",", ":")).encode()
