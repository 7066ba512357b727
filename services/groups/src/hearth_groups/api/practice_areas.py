"""How the document states the practice-area rule: a practice-area circle names one of the
association's practice areas (a setting), any other kind may name one or none. The kinds are two
shapes of each request (told apart by `kind`), and the areas an enum filled in from the settings
when the app is built, so the document lists the areas this deployment accepts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field

from hearth_shared.contracts.text import CleanStr

from ..domain.kinds import Kind

_MARK = "x-hearth-practice-area"

# One of the configured practice areas (the document's enum, see `state_practice_areas`).
PracticeArea = Annotated[
    CleanStr, Field(max_length=100, examples=["housing_and_poverty"], json_schema_extra={_MARK: True})
]
# The kinds whose topic is optional: "" or null is "no practice area".
OtherKind = Literal[
    Kind.LANGUAGE_CIRCLE,
    Kind.PEER_SUPPORT,
    Kind.PEER_SUPERVISION,
    Kind.ADVOCACY_CAMPAIGN,
    Kind.RESOURCE_CO_CREATION,
]
CIRCLE = Literal[Kind.PRACTICE_AREA_CIRCLE]


class CircleTopic(BaseModel):
    """A practice-area circle's request: its practice area is required."""

    kind: CIRCLE
    practice_area: PracticeArea


class OtherTopic(BaseModel):
    """Any other kind's request: a practice area, or none ("" or null)."""

    kind: OtherKind
    practice_area: PracticeArea | Literal[""] | None = None


def state_practice_areas(app: FastAPI, areas: tuple[str, ...]) -> None:
    """The document's practice areas are the settings' (each marked schema gets the enum)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        _fill(document, list(areas))
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _fill(node: Any, areas: list[str]) -> None:
    if isinstance(node, dict):
        if node.pop(_MARK, False):
            node["enum"] = areas
        for value in node.values():
            _fill(value, areas)
    elif isinstance(node, list):
        for value in node:
            _fill(value, areas)
