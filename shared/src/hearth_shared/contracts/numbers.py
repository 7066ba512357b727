"""A decimal an HTTP model reads as a JSON number, and whose schema says exactly that.

Pydantic's schema for a `Decimal` is "a number, or any string": a client (or schemathesis) that
sends `""` or `"abc"` follows the document and is refused. `TwoPlaces` states a
number only, a multiple of 0.01, with the field's bounds. A string such as "1.50" is still read,
as before, for callers that send one. A float that is the nearest double to a two-place decimal
(0.07 arrives as 0.07000000000000001 after arithmetic) is read as that decimal, which is what
`multipleOf: 0.01` promised the sender.

Contracts (events) keep the plain `Decimal`: their JSON carries decimals as strings."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

_STEP = Decimal("0.01")


def _two_places(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value):
        rounded = Decimal(repr(value)).quantize(_STEP)
        if math.isclose(float(rounded), value, rel_tol=1e-12):
            return rounded
    return value


class _NumberInSchema:
    """Keeps only the number branch of the decimal's validation schema, a multiple of 0.01."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        if handler.mode != "validation":
            return found
        numbers = [branch for branch in found.pop("anyOf", []) if branch.get("type") == "number"]
        if numbers:
            found.update(numbers[0])
        found.update(type="number", multipleOf=0.01)
        return found


TwoPlaces = Annotated[Decimal, BeforeValidator(_two_places), _NumberInSchema]
