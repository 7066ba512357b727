"""Turn the bytes of a delivery into a typed event, or say precisely why not.

This is the consumer's first step, so it lives with messaging (not with the contracts, which know
nothing of deliveries): each failure here is a `PermanentFailure` the kit parks at once. The size
is checked before anything is parsed; then the JSON (any error reading it, including nesting too
deep or a number too long for Python, is `invalid_json`); then every string in it, keys included
(no NUL, no lone surrogate: Postgres cannot store them), and its depth; then the contract.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from ..contracts import CATALOGUE, MAX_EVENT_BYTES, CloudEvent, EventData
from ..contracts.text import forbidden_character
from .errors import InvalidJson, SchemaViolation, TooLarge, UnknownEventType

MAX_DEPTH = 32  # levels of nested objects and arrays; the deepest contract uses four
_UTF8_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")  # U+D800..U+DFFF as UTF-8 would spell them


def _describe(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in error.errors())


def _check_strings(document: Any) -> None:
    """Refuse a NUL or a lone surrogate in any string or key, and nesting deeper than `MAX_DEPTH`
    (walked without recursion, so no document can exhaust the stack)."""
    stack: list[tuple[str, Any, int]] = [("(root)", document, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SchemaViolation(f"{path}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, str):
            problem = forbidden_character(value)
            if problem:
                raise SchemaViolation(f"{path}: {problem}")
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = forbidden_character(key)
                if problem:
                    raise SchemaViolation(f"{path}: a key has {problem}")
                stack.append((f"{path}.{key}" if depth else key, item, depth + 1))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value))


def _plainly_clean(body: bytes) -> bool:
    """Whether the body alone proves what `_check_strings` checks, without walking the document:
    no NUL byte (so it is UTF-8: UTF-16 and UTF-32 texts of JSON always hold NUL bytes), no
    surrogate encoded in UTF-8 (`json.loads` decodes with `surrogatepass`), no `\\u` escape (the
    other way to spell a NUL or a lone surrogate), and no more brackets in all than `MAX_DEPTH`
    (so nothing can nest deeper)."""
    return (
        b"\x00" not in body
        and b"\\u" not in body
        and _UTF8_SURROGATE.search(body) is None
        and body.count(b"{") + body.count(b"[") <= MAX_DEPTH
    )


def parse_event(body: bytes, expected: dict[str, type[EventData]] | None = None) -> CloudEvent[Any]:
    """Parse a structured-mode CloudEvent whose type is in `expected` (default: the catalogue)."""
    catalogue = CATALOGUE if expected is None else expected
    if len(body) > MAX_EVENT_BYTES:
        raise TooLarge(f"body is {len(body)} bytes; an event may have at most {MAX_EVENT_BYTES}")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:  # includes UnicodeDecodeError and JSONDecodeError
        raise InvalidJson(f"body is not JSON: {type(exc).__name__}: {str(exc)[:200]}") from exc
    if not isinstance(document, dict):
        raise SchemaViolation("a CloudEvent must be a JSON object")
    if not _plainly_clean(body):  # the common event needs no walk: the bytes say it all
        _check_strings(document)
    event_type = document.get("type")
    model = catalogue.get(event_type) if isinstance(event_type, str) else None
    if model is None:
        raise UnknownEventType(
            f"event type {event_type!r} is not one this handler accepts ({', '.join(sorted(catalogue))})"
        )
    try:
        return CloudEvent[model].model_validate(document)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise SchemaViolation(f"{event_type}: {_describe(exc)}") from exc
