"""Queries on registration's own schema, one module per table family, returning typed rows
(frozen dataclasses). Every function takes the caller's connection, so the caller decides the
transaction. The SQL migrations are in `store/migrations`."""

from . import (
    attendance,
    breakouts,
    erasure,
    feedback,
    gatherings,
    history,
    people,
    registrants,
    tickets,
    waitlist,
)

__all__ = [
    "attendance",
    "breakouts",
    "erasure",
    "feedback",
    "gatherings",
    "history",
    "people",
    "registrants",
    "tickets",
    "waitlist",
]
