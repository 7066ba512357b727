"""Certificates of attendance: one valid per standing award, issued once the policy's conditions
(the feedback form) are met and we know whom it is for; revoked when the award is reversed."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .attendance import Pair
from .ledger import StandingAward
from .people import Person


@dataclass(frozen=True)
class Certificate:
    code: str
    entry_id: uuid.UUID
    person_id: uuid.UUID
    activity_id: uuid.UUID
    hours: Decimal
    language: str
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def new_code() -> str:
    """A verification code that is hard to guess and easy to read aloud: XXXX-XXXX-XXXX."""
    raw = secrets.token_hex(6).upper()
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def uncertified(awards: Sequence[StandingAward], certified: set[Pair]) -> list[StandingAward]:
    """The standing awards with no valid certificate yet."""
    return [a for a in awards if a.pair not in certified]


def needing_feedback(awards: Sequence[StandingAward]) -> list[Pair]:
    return [a.pair for a in awards if a.policy.requires_feedback]


def due(
    awards: Sequence[StandingAward], feedback: set[Pair], people: Mapping[uuid.UUID, Person]
) -> list[tuple[StandingAward, Certificate]]:
    """The certificates to issue now for uncertified `awards`: to reachable `people`, once the
    feedback form is in where the policy asks for it (`feedback`: the pairs that gave it)."""
    issued = []
    for award in awards:
        person = people.get(award.pair[1])
        if person is None or (award.policy.requires_feedback and award.pair not in feedback):
            continue
        certificate = Certificate(
            new_code(), award.entry_id, award.pair[1], award.pair[0], award.hours, person.language
        )
        issued.append((award, certificate))
    return issued
