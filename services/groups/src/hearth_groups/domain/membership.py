"""Membership: what joining, requesting, inviting, accepting and leaving do to one person's place
in one group, decided from the group's join policy and the place as it stands."""

from __future__ import annotations

from enum import StrEnum

from .errors import GroupsRefused
from .kinds import JoinPolicy


class Place(StrEnum):
    """A person's place in a group (the `status` column)."""

    MEMBER = "member"
    REQUESTED = "requested"
    INVITED = "invited"
    DECLINED = "declined"
    LEFT = "left"


class MembershipRefused(GroupsRefused):
    code = "membership_refused"


class GroupFull(GroupsRefused):
    code = "group_full"


def on_join(policy: JoinPolicy, place: Place | None, members: int, max_size: int) -> Place:
    """A person asks to join: open groups take them, by-request groups note the request, an
    invitation-only group takes only someone invited (which is accepting)."""
    if place is Place.MEMBER:
        raise MembershipRefused("already a member of this group")
    if place is Place.INVITED:
        return on_accept(place, members, max_size)
    if policy is JoinPolicy.INVITATION:
        raise MembershipRefused("this group takes members by invitation only")
    if policy is JoinPolicy.BY_REQUEST:
        if place is Place.REQUESTED:
            raise MembershipRefused("the request is already waiting for the facilitator")
        return Place.REQUESTED
    _room(members, max_size)
    return Place.MEMBER


def on_decision(place: Place | None, approve: bool, members: int, max_size: int) -> Place:
    if place is not Place.REQUESTED:
        raise MembershipRefused("there is no request waiting from that person")
    if approve:
        _room(members, max_size)
        return Place.MEMBER
    return Place.DECLINED


def on_invite(place: Place | None) -> Place:
    if place is Place.MEMBER:
        raise MembershipRefused("that person is already a member")
    return Place.INVITED


def on_accept(place: Place | None, members: int, max_size: int) -> Place:
    if place is not Place.INVITED:
        raise MembershipRefused("there is no invitation to accept")
    _room(members, max_size)
    return Place.MEMBER


def on_leave(place: Place | None) -> Place:
    if place is not Place.MEMBER:
        raise MembershipRefused("not a member of this group")
    return Place.LEFT


def _room(members: int, max_size: int) -> None:
    if members >= max_size:
        raise GroupFull(f"the group is full ({max_size} members)")
