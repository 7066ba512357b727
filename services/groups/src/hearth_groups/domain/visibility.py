"""Who may see what of a group: its existence, and its roster (Discourse's two visibilities).

Every surface that could show a group or a member — lists, search, exports, counts, events —
asks these two questions and nothing else, so a confidential roster holds everywhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from .kinds import Audience


class Role(StrEnum):
    STAFF = "staff"  # the association's staff (any staff role of the gateway)
    MEMBER = "member"  # a member of the association, signed in
    GUEST = "guest"  # anyone else: a non-member, or nobody signed in


@dataclass(frozen=True)
class Actor:
    """The one asking, as the gateway's service token names them."""

    role: Role
    person_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None  # staff: who they are, recorded on what they change

    @property
    def is_staff(self) -> bool:
        return self.role is Role.STAFF


class Standing(IntEnum):
    """An actor's standing toward one group, from the least to the most."""

    GUEST = 0
    MEMBER = 1
    GROUP_MEMBER = 2
    FACILITATOR = 3
    STAFF = 4


# The least standing each audience admits.
ADMITS: dict[Audience, Standing] = {
    Audience.PUBLIC: Standing.GUEST,
    Audience.MEMBERS: Standing.MEMBER,
    Audience.GROUP_MEMBERS: Standing.GROUP_MEMBER,
    Audience.FACILITATOR_AND_STAFF: Standing.FACILITATOR,
}


@dataclass(frozen=True)
class Access:
    """What decides visibility for one group."""

    existence: Audience
    roster: Audience
    facilitator_id: uuid.UUID | None


def standing(actor: Actor, access: Access, is_group_member: bool) -> Standing:
    if actor.is_staff:
        return Standing.STAFF
    if actor.person_id is not None and actor.person_id == access.facilitator_id:
        return Standing.FACILITATOR
    if is_group_member:
        return Standing.GROUP_MEMBER
    return Standing.MEMBER if actor.role is Role.MEMBER else Standing.GUEST


def may_see_group(actor: Actor, access: Access, is_group_member: bool) -> bool:
    return standing(actor, access, is_group_member) >= ADMITS[access.existence]


def may_see_roster(actor: Actor, access: Access, is_group_member: bool) -> bool:
    """Seeing the roster needs seeing the group, and the roster's own audience."""
    held = standing(actor, access, is_group_member)
    return held >= ADMITS[access.existence] and held >= ADMITS[access.roster]


def may_lead(actor: Actor, access: Access) -> bool:
    """Approve requests, invite, take attendance, schedule meetings: the facilitator or staff."""
    return standing(actor, access, False) >= Standing.FACILITATOR


def roster_goes_on_events(roster: Audience) -> bool:
    """Whether a group's member ids may travel on the broker in one event to every consumer.
    Only a roster every member of Hearth may see; a narrower one goes person by person."""
    return roster.narrowness <= Audience.MEMBERS.narrowness
