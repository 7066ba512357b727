"""The association's practice areas as the public feedback form offers them: groups' own codes
(a circle wish whose area groups has not configured is parked), each shown in the reader's
language. `GatewaySettings.practice_areas` must list the same areas as groups'."""

from __future__ import annotations

from .words import N_

LABELS = {
    "housing_and_poverty": N_("Housing and poverty"),
    "justice": N_("Justice"),
    "clinical": N_("Clinical practice"),
    "child_and_family": N_("Child and family"),
    "mental_health_and_addictions": N_("Mental health and addictions"),
    "health": N_("Health"),
    "older_adults": N_("Older adults"),
    "community_development": N_("Community development"),
}


def label(area: str) -> str:
    """The words for an area, to translate; an area configured without words reads as its code."""
    return LABELS.get(area, area.replace("_", " ").capitalize())


def options(areas: tuple[str, ...]) -> list[tuple[str, str]]:
    """The select's choices: the configured areas in their configured order, with their words."""
    return [(area, label(area)) for area in areas]
