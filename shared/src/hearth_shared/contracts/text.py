"""What a string or a timestamp in an event may be: only what Postgres can store, and no guessing.

- `CleanStr`: a string with no NUL character and no lone surrogate (Postgres refuses both, so an
  event holding one could never be applied). Every text field of a contract is one, with a
  `max_length`; HTTP models use it too. Its JSON Schema states the NUL rule (a pattern), in the
  events' published schemas and in the OpenAPI documents alike.
- `Timestamp`: an RFC 3339 string with an offset (`2026-11-20T14:05:00-04:00`, `…Z`). Pydantic's lax
  mode would read `0` or `"12"` as seconds since 1970; an event carrying that is refused instead.
  A `datetime` is accepted from Python code (it must be aware).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, EmailStr, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


def forbidden_character(value: str) -> str | None:
    """What makes `value` unstorable (a NUL or a lone surrogate), or None."""
    if "\x00" in value:
        return "a NUL character is not allowed"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "a lone surrogate is not allowed (not valid Unicode)"
    return None


def _clean(value: str) -> str:
    problem = forbidden_character(value)
    if problem:
        raise ValueError(problem)
    return value


NO_NUL = "^[^\\u0000]*$"  # the JSON Schema pattern of a text without a NUL


class _StatedInSchema:
    """Says the NUL rule in the JSON Schema (a pattern), so that a reader of an event's schema or
    an OpenAPI document (or schemathesis, which generates what a document allows) knows it. JSON
    Schema cannot say "no lone surrogate"; generators of valid JSON text do not make them."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found.setdefault("pattern", NO_NUL)
        return found


CleanStr = Annotated[str, AfterValidator(_clean), _StatedInSchema]

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII
)


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _RFC3339.match(value):
        return value
    raise ValueError("a timestamp must be an RFC 3339 string with an offset, e.g. 2026-11-20T14:05:00-04:00")


Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c}]" if c.isalpha() else re.escape(c) for c in word)


# Names that can receive no mail (RFC 6761 and kin): email-validator refuses them, so the
# document says so, instead of "format: email" alone, which allows `someone@example.test`.
SPECIAL_USE_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")
_NOT_SPECIAL_USE = "^(?!.*@(?:.*\\.)?(?:{})\\.?$)".format("|".join(_any_case(d) for d in SPECIAL_USE_DOMAINS))


class _DeliverableInSchema:
    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found.update(pattern=_NOT_SPECIAL_USE, maxLength=254)
        found.setdefault("description", "An address that can receive mail (not .test, .local, …)")
        return found


Email = Annotated[EmailStr, _DeliverableInSchema]
"""An email address in an HTTP model: what email-validator accepts (at most 254 characters, not
a special-use domain such as .test), and a document that says so (a pattern)."""
