"""The mail sender's MIME documents, written directly, read as email.mime (compat32) would have
written them: the same headers, the same parts with the same types, parameters and contents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from hearth_notifications.store.deliveries import SendingRow
from hearth_notifications.workers.mime import Unbuildable, message

SENDER = "Hearth <events@example.org>"
CALENDAR = "BEGIN:VCALENDAR\r\nMETHOD:{method}\r\nSUMMARY:Rencontre d'essai\r\nEND:VCALENDAR\r\n"


def row(**changes: object) -> SendingRow:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "source_event_id": "src-1",
        "correlation_id": "corr-1",
        "person_id": uuid.uuid4(),
        "template": "ticket_confirmation",
        "category": "confirmations",
        "language": "fr",
        "to_address": "lecteur@example.org",
        "subject": "Votre billet : Rencontre d'essai — été",
        "body_text": "Bonjour Éloïse,\n\n" + "Une ligne de texte assez longue. " * 40,
        "body_html": "<p>Bonjour Éloïse</p>" * 30,
        "calendar": CALENDAR.format(method="PUBLISH"),
        "unsubscribe_url": "https://hearth.example.org/u/" + "a" * 90,
        "attempts": 0,
        "created_at": datetime.now(UTC),
        "traceparent": None,
    }
    return SendingRow(**(fields | changes))  # type: ignore[arg-type]


def reference(r: SendingRow) -> bytes:
    """What the sender wrote with email.mime before (compat32)."""
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(r.body_text, "plain", "utf-8"))
    body.attach(MIMEText(r.body_html, "html", "utf-8"))
    document = body
    if r.calendar:
        document = MIMEMultipart("mixed")
        document.attach(body)
        invite = MIMEText(r.calendar, "calendar", "utf-8")
        invite.set_param("method", "CANCEL" if "METHOD:CANCEL" in r.calendar else "PUBLISH")
        invite.add_header("Content-Disposition", "attachment", filename="invite.ics")
        document.attach(invite)
    document["From"] = SENDER
    document["To"] = r.to_address
    document["Subject"] = Header(r.subject, "utf-8")  # type: ignore[assignment]
    document["Date"] = "Tue, 01 Dec 2026 16:00:00 -0000"
    document["Message-ID"] = "<x@hearth>"
    document["Content-Language"] = r.language
    document["X-Hearth-Delivery-Id"] = str(r.id)
    document["X-Hearth-Correlation-Id"] = r.correlation_id
    if r.unsubscribe_url:
        document["List-Unsubscribe"] = f"<{r.unsubscribe_url}>"
        document["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return document.as_bytes()


def shape(document: bytes) -> list[object]:
    """Headers (but the date, id and boundaries), then each part's type, parameters and content."""
    read = message_from_bytes(document, policy=policy.default)
    skipped = {"date", "message-id", "content-type"}
    headers = sorted((k.lower(), str(v)) for k, v in read.items() if k.lower() not in skipped)
    parts: list[Message] = list(read.walk())
    return [
        headers,
        [
            (
                p.get_content_type(),
                sorted((k, v) for k, v in p.get_params() or [] if k != "boundary"),
                p.get("Content-Disposition"),
                p.get_filename(),
                p.get_payload(decode=True) if not p.is_multipart() else None,
            )
            for p in parts
        ],
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"calendar": None, "unsubscribe_url": None},
        {"calendar": CALENDAR.format(method="CANCEL")},
        {"subject": "Reminder", "language": "en", "body_text": "Hi", "body_html": "<p>Hi</p>"},
        {"subject": "A long subject in plain ASCII " * 4, "correlation_id": "c" * 90},
    ],
)
def test_the_document_reads_as_email_mime_wrote_it(changes: dict[str, object]) -> None:
    delivery = row(**changes)
    sender, recipient, document = message(delivery, SENDER)
    assert (sender, recipient) == ("events@example.org", delivery.to_address)
    assert shape(document) == shape(reference(delivery))
    assert max(len(line) for line in document.split(b"\n")) <= 998


def test_a_control_character_in_a_header_cannot_be_built() -> None:
    with pytest.raises(Unbuildable):
        message(row(correlation_id="corr\r\nBcc: x@example.org"), SENDER)
