"""Marking messages for translation where they are written (Babel extracts `N_`); the page that
shows one translates it into the reader's language."""

from __future__ import annotations


def N_(message: str) -> str:
    return message


# Values the services send that pages show as words (statuses, ticket kinds, credit categories).
SHOWN_VALUES = (
    N_("draft"),
    N_("open"),
    N_("closed"),
    N_("cancelled"),
    N_("active"),
    N_("member"),
    N_("non_member"),
    N_("student"),
    N_("free"),
    N_("pending"),
    N_("approved"),
    N_("rejected"),
    N_("sending"),
    N_("sent"),
    N_("failed"),
    N_("suppressed"),
    N_("held"),
    N_("digested"),
    N_("community_of_practice"),
    N_("peer_supervision"),
    N_("formal_learning"),
    N_("self_directed"),
)
