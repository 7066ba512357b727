"""The kinds of group Hearth knows, as data: each kind's size bounds, join policy, visibilities,
how it treats regions, who appoints its facilitator and the credit its meetings earn.

Adding a kind, or changing peer supervision from 4–8 to 5–9, is an edit to `KINDS`, not new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import GroupsRefused


class Kind(StrEnum):
    PRACTICE_AREA_CIRCLE = "practice_area_circle"
    LANGUAGE_CIRCLE = "language_circle"
    PEER_SUPPORT = "peer_support"
    PEER_SUPERVISION = "peer_supervision"
    ADVOCACY_CAMPAIGN = "advocacy_campaign"
    RESOURCE_CO_CREATION = "resource_co_creation"


class JoinPolicy(StrEnum):
    OPEN = "open"  # anyone who may see the group joins at once
    BY_REQUEST = "by_request"  # the facilitator or staff approve
    INVITATION = "invitation"  # only those invited, once they accept


class Audience(StrEnum):
    """Who may see something about a group, from the widest to the narrowest."""

    PUBLIC = "public"
    MEMBERS = "members"  # members of Hearth (the association), signed in
    GROUP_MEMBERS = "group_members"
    FACILITATOR_AND_STAFF = "facilitator_and_staff"

    @property
    def narrowness(self) -> int:
        return list(Audience).index(self)


class Regions(StrEnum):
    """How formation treats the regions of those interested."""

    TOGETHER = "together"  # one region per group (they meet in person)
    SPREAD = "spread"  # mix regions (perspectives from across the province)


@dataclass(frozen=True)
class KindRules:
    kind: Kind
    min_size: int
    max_size: int
    join_policy: JoinPolicy
    existence: Audience
    roster: Audience
    # The widest roster audience staff may choose for a group of this kind (peer groups: members only).
    widest_roster: Audience
    regions: Regions
    facilitator_by_staff: bool
    # The CPD category its meetings earn (a CreditCategory value), or None: no credit.
    credit_category: str | None
    name_en: str
    name_fr: str
    # Peer groups: people who were in one together are not matched again when a choice exists.
    avoid_repeat_pairings: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.min_size <= self.max_size:
            raise ValueError(f"{self.kind}: size bounds {self.min_size}–{self.max_size} are not a range")
        check_visibilities(self, self.existence, self.roster)


class VisibilityRefused(GroupsRefused):
    code = "visibility_refused"
    status = 422


def check_visibilities(rules: KindRules, existence: Audience, roster: Audience) -> None:
    """A roster can be no wider than the group's existence, and no wider than its kind allows
    (a peer-support roster is never shown beyond its members and staff)."""
    if roster.narrowness < existence.narrowness:
        raise VisibilityRefused(
            f"the roster ({roster}) cannot be seen more widely than the group itself ({existence})",
            "roster_visibility",
        )
    if roster.narrowness < rules.widest_roster.narrowness:
        raise VisibilityRefused(
            f"a {rules.kind} roster is shown at widest to {rules.widest_roster}", "roster_visibility"
        )


# The kinds GroupFormed (v1) names as its purpose. A practice-area circle is not one yet
# (notifications must read the value first): its members are announced with GroupMemberJoined.
INTEREST_OF_KIND: dict[Kind, str] = {
    Kind.ADVOCACY_CAMPAIGN: "advocacy_campaign",
    Kind.RESOURCE_CO_CREATION: "best_practice_resource",
    Kind.PEER_SUPPORT: "peer_support",
    Kind.PEER_SUPERVISION: "peer_supervision",
}
# InterestExpressed (v1) names five interests: those four and the practice-area circle (which needs
# its practice area). Language circles arrive through the API only.
KIND_OF_INTEREST: dict[str, Kind] = {interest: kind for kind, interest in INTEREST_OF_KIND.items()} | {
    "practice_area_circle": Kind.PRACTICE_AREA_CIRCLE
}


class UnknownPracticeArea(GroupsRefused):
    code = "unknown_practice_area"
    status = 422


def topic_for(kind: Kind, practice_area: str | None, practice_areas: tuple[str, ...]) -> str:
    """A group's topic: its practice area (required for a practice-area circle, one of the
    association's configured areas), or "" for none."""
    if practice_area is None or practice_area == "":
        if kind is Kind.PRACTICE_AREA_CIRCLE:
            raise UnknownPracticeArea("a practice-area circle needs a practice area", "practice_area")
        return ""
    if practice_area not in practice_areas:
        raise UnknownPracticeArea(
            f"{practice_area!r} is not one of this association's practice areas: {', '.join(practice_areas)}",
            "practice_area",
        )
    return practice_area


KINDS: dict[Kind, KindRules] = {
    rules.kind: rules
    for rules in (
        KindRules(
            Kind.PRACTICE_AREA_CIRCLE, 6, 30, JoinPolicy.OPEN, Audience.PUBLIC, Audience.MEMBERS,
            Audience.PUBLIC, Regions.SPREAD, False, "community_of_practice",
            "Practice-area circle", "Cercle de pratique",
        ),
        KindRules(
            Kind.LANGUAGE_CIRCLE, 5, 25, JoinPolicy.OPEN, Audience.PUBLIC, Audience.MEMBERS,
            Audience.PUBLIC, Regions.SPREAD, False, None,
            "Language circle", "Cercle linguistique",
        ),
        KindRules(
            Kind.PEER_SUPPORT, 4, 10, JoinPolicy.BY_REQUEST, Audience.MEMBERS, Audience.GROUP_MEMBERS,
            Audience.GROUP_MEMBERS, Regions.TOGETHER, False, None,
            "Peer support group", "Groupe de soutien entre pairs", avoid_repeat_pairings=True,
        ),
        KindRules(
            Kind.PEER_SUPERVISION, 4, 8, JoinPolicy.INVITATION, Audience.MEMBERS, Audience.GROUP_MEMBERS,
            Audience.GROUP_MEMBERS, Regions.TOGETHER, True, "peer_supervision",
            "Peer supervision group", "Groupe de supervision entre pairs", avoid_repeat_pairings=True,
        ),
        KindRules(
            Kind.ADVOCACY_CAMPAIGN, 3, 40, JoinPolicy.OPEN, Audience.PUBLIC, Audience.MEMBERS,
            Audience.PUBLIC, Regions.SPREAD, False, None,
            "Advocacy campaign", "Campagne de plaidoyer",
        ),
        KindRules(
            Kind.RESOURCE_CO_CREATION, 3, 12, JoinPolicy.BY_REQUEST, Audience.MEMBERS, Audience.MEMBERS,
            Audience.PUBLIC, Regions.SPREAD, False, None,
            "Resource co-creation group", "Groupe de co-création de ressources",
        ),
    )
}  # fmt: skip
