"""Erasure's rewriting of event bodies (no I/O): objects about the person lose name, email and
free text; other objects and text keep everything but a quoted address; the result is still a
valid event."""

from __future__ import annotations

import json
import uuid

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import FeedbackSubmitted, TicketPurchased
from hearth_shared.messaging import parse_event
from hearth_shared.messaging.redaction import ERASED_NAME, erased, redact_body
from hearth_testing.builders import gathering_scheduled, person_details, ticket_purchased


def test_an_attendee_loses_name_and_email_and_the_event_stays_valid() -> None:
    who = person_details()
    event = new_event(ticket_purchased(gathering_scheduled(capacity=5), who), source="/hearth/registration")
    body = event.model_dump_json().encode()
    target = erased(str(who.email).upper())  # addresses match whatever their case
    cleaned = redact_body(body, target)
    assert cleaned is not None
    assert str(who.email) not in cleaned.decode()
    assert who.name not in cleaned.decode()
    parsed = parse_event(cleaned, {TicketPurchased.event_type: TicketPurchased})
    assert parsed.data.attendee.name == ERASED_NAME
    assert parsed.data.attendee.person_id == who.person_id
    assert parsed.data.gathering.title == event.data.gathering.title  # the rest as it was
    # The ids the body carries are learned, so events naming only the id are found next.
    assert str(who.person_id) in target.with_ids_of(json.loads(body)).person_ids


def test_free_text_about_the_person_goes_by_their_id_and_others_stay() -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    target = erased("sam.roy@example.org", [mine])
    feedback = FeedbackSubmitted(
        feedback_id=uuid.uuid4(), gathering_id=uuid.uuid4(), person_id=mine, benefit_rating=5, comments="Sam"
    )
    cleaned = redact_body(new_event(feedback, source="/x").model_dump_json().encode(), target)
    assert cleaned is not None
    assert json.loads(cleaned)["data"]["comments"] is None
    other = feedback.model_copy(update={"person_id": theirs})
    assert redact_body(new_event(other, source="/x").model_dump_json().encode(), target) is None
    quoted = json.dumps({"reason": "550 <SAM.ROY@example.org> refused"}).encode()
    assert redact_body(quoted, target) == b'{"reason":"550 <<erased>> refused"}'
