"""The HTTP door's rules for CloudEvents 1.0 over HTTP: which mode a request is in (structured,
binary, batched), the documents it carries, and each event checked against its contract — or a
`Refusal` that says, with JSON pointers, exactly which field failed. No I/O: the route reads the
body, verifies the signature and publishes; this decides.

What passes here passes the consumers' own parser too (`hearth_shared.messaging.parsing`): the
last check on every event is that parser, on the very bytes that will be published, so the door
never accepts an event a service would park.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from pydantic import ValidationError

from hearth_shared.contracts import CATALOGUE, MAX_EVENT_BYTES, CloudEvent, routing_key_for
from hearth_shared.messaging.errors import PermanentFailure
from hearth_shared.messaging.parsing import parse_event

STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
JSON = "application/json"
MAX_BODY_BYTES = MAX_EVENT_BYTES  # one event (structured or binary): what a consumer takes
MAX_BATCH_BYTES = 1024 * 1024  # a batch: 1 MiB, each event in it still at most MAX_EVENT_BYTES
MAX_BATCH_EVENTS = 100
REQUIRED_HEADERS = ("specversion", "id", "source", "type")


@dataclass
class Refusal(Exception):
    """Why the door refuses a request: an HTTP status, a short code (the metric's and log's
    `reason`), a sentence for the sender, and the failing fields as `(JSON pointer, problem)`."""

    status: int
    reason: str
    detail: str
    errors: list[tuple[str, str]] = field(default_factory=list)
    retry_after: int | None = None

    def __post_init__(self) -> None:
        super().__init__(self.detail)


@dataclass(frozen=True)
class Accepted:
    """One event the door will publish: its envelope, checked, and the bytes that go on the broker."""

    event: CloudEvent[Any]
    body: bytes

    @property
    def routing_key(self) -> str:
        return routing_key_for(self.event.type)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def body_limit(content_type: str | None) -> int:
    return MAX_BATCH_BYTES if media_type(content_type) == BATCH else MAX_BODY_BYTES


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:  # includes bad UTF-8 and numbers too long to read
        raise Refusal(
            400, "invalid_json", f"the body is not JSON Hearth can read ({type(exc).__name__})"
        ) from exc


def _from_headers(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """Binary mode: attributes in `ce-*` headers (percent-encoded), the body is `data`."""
    document: dict[str, Any] = {
        name[3:]: unquote(value) for name, value in headers.items() if name.lower().startswith("ce-")
    }
    document = {name.lower(): value for name, value in document.items()}
    missing = [f"/{name}" for name in REQUIRED_HEADERS if name not in document]
    if missing:
        problems = [(pointer, f"the ce-{pointer[1:]} header is required") for pointer in missing]
        raise Refusal(400, "missing_attribute", "a binary-mode event needs its ce-* headers", problems)
    document["datacontenttype"] = JSON
    document["data"] = _json(body)
    return document


def mode_of(content_type: str | None, headers: Mapping[str, str]) -> str:
    """STRUCTURED, BATCH or JSON (binary mode), or 415 for anything else."""
    kind = media_type(content_type)
    if kind in (STRUCTURED, BATCH) or (kind == JSON and any(n.lower() == "ce-specversion" for n in headers)):
        return kind
    raise Refusal(415, "unsupported_media_type", f"send {STRUCTURED}, {BATCH}, or {JSON} with ce-* headers")


def documents_of(content_type: str | None, headers: Mapping[str, str], body: bytes) -> list[dict[str, Any]]:
    """The events a request carries, as structured-mode documents, in order."""
    kind = mode_of(content_type, headers)
    if kind == STRUCTURED:
        found = [_json(body)]
    elif kind == BATCH:
        found = _json(body)
        if not isinstance(found, list):
            raise Refusal(
                400, "not_a_batch", "a batch is a JSON array of CloudEvents", [("", "not an array")]
            )
        if not 1 <= len(found) <= MAX_BATCH_EVENTS:
            detail = f"a batch holds from 1 to {MAX_BATCH_EVENTS} events"
            raise Refusal(400, "batch_size", detail, [("", detail)])
    else:
        found = [_from_headers(headers, body)]
    for i, document in enumerate(found):
        if not isinstance(document, dict):
            where = f"/{i}" if kind == BATCH else ""
            raise Refusal(400, "not_an_object", "a CloudEvent is a JSON object", [(where, "not an object")])
    return found


def pointer(location: Iterable[int | str]) -> str:
    """A JSON pointer (RFC 6901) from a pydantic error location."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in location)


def forbidden_types(
    documents: list[dict[str, Any]], allowed: frozenset[str], batch: bool
) -> list[tuple[str, str]]:
    """The events whose `type` this system may not send (403), as pointers to their `type`."""
    found = []
    for i, document in enumerate(documents):
        event_type = document.get("type")
        if not isinstance(event_type, str) or event_type not in allowed:
            found.append((f"/{i}/type" if batch else "/type", "this system may not send this event type"))
    return found


_DOTTED = re.compile(r"^([^:\s]+):")  # the field the consumers' parser names, as `data.name: …`


def _final_check(document: dict[str, Any], model: Any, at: str) -> Accepted:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    if len(body) > MAX_EVENT_BYTES:
        raise Refusal(
            413, "too_large", f"an event may have at most {MAX_EVENT_BYTES} bytes", [(at, "too large")]
        )
    try:
        event = parse_event(body, {document["type"]: model})
    except PermanentFailure as exc:
        named = _DOTTED.match(str(exc))
        where = at + ("/" + named.group(1).replace(".", "/") if named else "")
        raise Refusal(
            422, "invalid_event", "an event breaks its contract", [(where, str(exc)[:300])]
        ) from exc
    return Accepted(event, body)


def check_events(documents: list[dict[str, Any]], batch: bool) -> list[Accepted]:
    """Every event against its contract; all the failing fields of all events at once (422)."""
    problems: list[tuple[str, str]] = []
    checked: list[tuple[dict[str, Any], Any, str]] = []
    for i, document in enumerate(documents):
        at = f"/{i}" if batch else ""
        model = CATALOGUE.get(document["type"])
        if model is None:  # allowed once, since withdrawn from the catalogue
            problems.append((at + "/type", "Hearth no longer knows this event type"))
            continue
        try:
            CloudEvent[model].model_validate(document)  # type: ignore[valid-type]
        except ValidationError as exc:
            problems += [(at + pointer(e["loc"]), e["msg"]) for e in exc.errors()]
            continue
        checked.append((document, model, at))
    if problems:
        raise Refusal(422, "invalid_event", "events break their contracts: see errors", problems)
    return [_final_check(document, model, at) for document, model, at in checked]
