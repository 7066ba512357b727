"""A person as notifications knows them: whom an email is addressed to, in which language (the
`recipients` read model, kept current from every event that names them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hearth_shared.contracts.catalogue import Language, PersonDetails


@dataclass(frozen=True)
class Person:
    person_id: uuid.UUID | None
    name: str
    email: str
    language: Language


def person_of(details: PersonDetails) -> Person:
    """The person an event names."""
    return Person(details.person_id, details.name, str(details.email), details.language)
