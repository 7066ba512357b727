"""The HTTP door's rules with no I/O: the three CloudEvents modes, JSON pointers to each failing
field, the types a system may send, and Standard Webhooks signatures (window, rotation)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from hearth_gateway.domain.cloudevents import (
    BATCH,
    STRUCTURED,
    Refusal,
    check_events,
    documents_of,
    forbidden_types,
    pointer,
)
from hearth_gateway.domain.systems import name_problem, new_secret, signature_problem

MEMBER = "org.hearth.membership.member_upserted.v1"


def member(**data: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": "e-1",
        "source": "/membership-register",
        "type": MEMBER,
        "time": "2026-11-20T14:05:00-04:00",
        "correlationid": "e-1",
        "data": {
            "member_id": "M-1",
            "registration_number": "NS-1",
            "name": "Jordan Comeau",
            "email": "jordan@example.org",
            "preferred_language": "fr",
            "status": "active",
            "changed_at": "2026-11-20T14:04:51-04:00",
        }
        | data,
    }


def refusal(call: Any) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call()
    return caught.value


def test_the_three_modes_give_the_same_document() -> None:
    document = member()
    structured = documents_of(STRUCTURED, {}, json.dumps(document).encode())
    batch = documents_of(BATCH, {}, json.dumps([document]).encode())
    headers = {f"ce-{k}": v for k, v in document.items() if k != "data"}
    headers["ce-source"] = "%2Fmembership-register"  # header values are percent-encoded
    binary = documents_of("application/json; charset=utf-8", headers, json.dumps(document["data"]).encode())
    assert structured == batch
    assert binary[0] | {"datacontenttype": "application/json"} == binary[0]
    assert {k: v for k, v in binary[0].items() if k != "datacontenttype"} == document


def test_other_media_types_and_unreadable_bodies_are_refused() -> None:
    assert refusal(lambda: documents_of("text/plain", {}, b"{}")).status == 415
    assert refusal(lambda: documents_of("application/json", {}, b"{}")).status == 415  # no ce-* headers
    assert refusal(lambda: documents_of(STRUCTURED, {}, b"{nope")).status == 400
    assert refusal(lambda: documents_of(BATCH, {}, b"{}")).reason == "not_a_batch"
    assert refusal(lambda: documents_of(BATCH, {}, b"[]")).reason == "batch_size"
    assert refusal(lambda: documents_of(BATCH, {}, b"[{}, 3]")).errors == [("/1", "not an object")]
    missing = refusal(lambda: documents_of("application/json", {"ce-specversion": "1.0"}, b"{}"))
    assert {p for p, _ in missing.errors} == {"/id", "/source", "/type"}


def test_every_failing_field_is_named_by_a_json_pointer() -> None:
    broken = member(email="no", changed_at=0)
    del broken["data"]["name"]
    found = refusal(lambda: check_events([member(), broken], batch=True))
    assert found.status == 422
    assert {p for p, _ in found.errors} == {"/1/data/email", "/1/data/name", "/1/data/changed_at"}
    single = refusal(lambda: check_events([member(name="\x00")], batch=False))
    assert [p for p, _ in single.errors] == ["/data/name"]
    assert pointer(["data", "a/b", "c~d", 0]) == "/data/a~1b/c~0d/0"


def test_an_extension_the_consumers_would_park_is_refused_at_the_door() -> None:
    found = refusal(lambda: check_events([member() | {"traceparent": "bad\x00"}], batch=False))
    assert (found.status, found.errors[0][0]) == (422, "/traceparent")


def test_only_the_system_s_own_types_pass() -> None:
    forged = member() | {"type": "org.hearth.credits.certificate_issued.v1"}
    assert forbidden_types([member(), forged], frozenset({MEMBER}), batch=True) == [
        ("/1/type", "this system may not send this event type")
    ]
    assert forbidden_types([member() | {"type": ["x"]}], frozenset({MEMBER}), batch=False)[0][0] == "/type"


def sign(secret: str, body: bytes, at: datetime) -> dict[str, str]:
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_1", at, body.decode()),
    }


def test_signatures_verify_within_five_minutes_and_with_any_live_secret() -> None:
    old, new = new_secret(), new_secret()
    body = b'{"a": 1}'
    now = datetime.now(UTC)
    assert signature_problem((new, old), body, sign(old, body, now)) is None
    assert signature_problem((new,), body, sign(old, body, now)) is not None
    assert signature_problem((new,), body + b" ", sign(new, body, now)) is not None
    assert "five minutes" in (
        signature_problem((new,), body, sign(new, body, now - timedelta(minutes=6))) or ""
    )
    both = sign(old, body, now)
    both["webhook-signature"] += " " + sign(new, body, now)["webhook-signature"]
    assert signature_problem((new,), body, both) is None
    assert signature_problem((new,), body, {}) is not None
    assert (
        signature_problem((new,), body, sign(new, body, now) | {"webhook-signature": "garbage"}) is not None
    )


def test_system_names_fit_in_a_url() -> None:
    assert name_problem("membership-register") is None
    for bad in ("", "a", "Membership", "-x", "a/b", "x" * 64):
        assert name_problem(bad) is not None


async def test_back_pressure_is_a_429_and_no_broker_a_503_each_with_retry_after() -> None:
    from types import SimpleNamespace

    from hearth_gateway.store.door_publisher import DoorPublisher

    disconnected = SimpleNamespace(connection=None, names=None)
    full = DoorPublisher(disconnected, max_in_flight=0)  # type: ignore[arg-type]
    busy = refusal_of(await _publish(full))
    assert (busy.status, busy.retry_after) == (429, 1)
    down = refusal_of(await _publish(DoorPublisher(disconnected)))  # type: ignore[arg-type]
    assert down.status == 503
    assert down.retry_after


async def _publish(publisher: Any) -> Exception | None:
    try:
        await publisher.publish([], "membership-register")
    except Refusal as exc:
        return exc
    return None


def refusal_of(found: Exception | None) -> Refusal:
    assert isinstance(found, Refusal)
    return found
