"""A person as credits knows them: whom awards and certificates are for. Erasure blanks the
details; the ledger only ever holds the person's id."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    name: str | None
    email: str | None
    language: str = "en"
    erased_at: datetime | None = None

    @property
    def reachable(self) -> bool:
        """Known, not erased, with an email: someone a certificate can be issued to."""
        return not self.erased_at and bool(self.email)


def reachable(people: Mapping[uuid.UUID, Person]) -> dict[uuid.UUID, Person]:
    return {person_id: person for person_id, person in people.items() if person.reachable}
