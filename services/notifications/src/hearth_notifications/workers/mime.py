"""The MIME document of one delivery: text and HTML alternatives, the calendar invitation when
there is one, and the RFC 8058 one-click unsubscribe headers of a non-critical email.

Built with email.mime (compat32), which costs a third of EmailMessage's time per email
(docs/benchmarks.md). compat32 checks little, so header values are checked here: a control
character (a newline in a correlation id taken from an X-Correlation-Id header) would otherwise
end the header, or add one. The mail sender builds each email inside its own attempt, so a
refusal here fails that email alone.
"""

from __future__ import annotations

import re
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid, parseaddr

from ..store.deliveries import SendingRow

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Unbuildable(ValueError):
    """The delivery cannot become a valid email."""


def _header(name: str, value: str) -> str:
    if _CONTROL.search(value):
        raise Unbuildable(f"a control character in the {name} header")
    return value


def message(row: SendingRow, mail_from: str) -> tuple[str, str, bytes]:
    """Sender, recipient and the MIME document."""
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(row.body_text, "plain", "utf-8"))
    body.attach(MIMEText(row.body_html, "html", "utf-8"))
    document = body
    if row.calendar:
        document = MIMEMultipart("mixed")
        document.attach(body)
        invite = MIMEText(row.calendar, "calendar", "utf-8")
        invite.set_param("method", "CANCEL" if "METHOD:CANCEL" in row.calendar else "PUBLISH")
        invite.add_header("Content-Disposition", "attachment", filename="invite.ics")
        document.attach(invite)
    document["From"] = _header("From", mail_from)
    document["To"] = _header("To", row.to_address)
    # compat32 takes a Header and encodes it (RFC 2047) when the document is written.
    document["Subject"] = Header(_header("Subject", row.subject), "utf-8")  # type: ignore[assignment]
    document["Date"] = formatdate()
    document["Message-ID"] = make_msgid(idstring=str(row.id), domain="hearth")
    document["Content-Language"] = row.language
    document["X-Hearth-Delivery-Id"] = str(row.id)
    document["X-Hearth-Correlation-Id"] = _header("X-Hearth-Correlation-Id", row.correlation_id)
    if row.unsubscribe_url:
        document["List-Unsubscribe"] = f"<{_header('List-Unsubscribe', row.unsubscribe_url)}>"
        document["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return parseaddr(mail_from)[1], row.to_address, document.as_bytes()
