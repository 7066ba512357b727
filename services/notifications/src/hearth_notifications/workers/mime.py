"""The MIME document of one delivery: text and HTML alternatives, the calendar invitation when
there is one, and the RFC 8058 one-click unsubscribe headers of a non-critical email.

Written directly, as email.mime (compat32) would write it (tests/test_mime.py compares the two):
email.mime's generator cost 1.5 ms an email, mostly folding short headers and compiling a pattern
per random boundary; this costs about a tenth. Header values are checked here: a control
character (a newline in a correlation id taken from an X-Correlation-Id header) would otherwise
end the header, or add one. The mail sender builds each email inside its own attempt, so a
refusal here fails that email alone.
"""

from __future__ import annotations

import base64
import functools
import re
import uuid
from email.header import Header
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
    token = uuid.uuid4().hex  # the boundaries: '_' is never in base64, so never in a part
    alternative = _multipart(
        "alternative",
        f"==_alt_{token}",
        [_text(row.body_text, "plain"), _text(row.body_html, "html")],
        folded=True,
    )
    body = alternative
    if row.calendar:
        method = "CANCEL" if "METHOD:CANCEL" in row.calendar else "PUBLISH"
        invite = _text(row.calendar, "calendar", f'; method="{method}"')
        invite = invite.replace(b"\n\n", b'\nContent-Disposition: attachment; filename="invite.ics"\n\n', 1)
        body = _multipart("mixed", f"==_mix_{token}", [alternative, invite])
    headers = [
        ("From", _header("From", mail_from)),
        ("To", _header("To", row.to_address)),
        ("Subject", _subject(_header("Subject", row.subject))),
        ("Date", formatdate()),
        ("Message-ID", make_msgid(idstring=str(row.id), domain="hearth")),
        ("Content-Language", row.language),
        ("X-Hearth-Delivery-Id", str(row.id)),
        ("X-Hearth-Correlation-Id", _header("X-Hearth-Correlation-Id", row.correlation_id)),
    ]
    if row.unsubscribe_url:
        headers.append(("List-Unsubscribe", f"<{_header('List-Unsubscribe', row.unsubscribe_url)}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    # The part's own Content-Type (folded or not) first, as compat32 writes it, then these.
    content_type, rest = body.split(b"\nMIME-Version: 1.0\n", 1)
    lines = b"".join(_line(name, value) for name, value in headers)
    document = content_type + b"\nMIME-Version: 1.0\n" + lines + rest
    return parseaddr(mail_from)[1], row.to_address, document


@functools.lru_cache(maxsize=1024)
def _subject(subject: str) -> str:
    """RFC 2047, as compat32 writes a Header in UTF-8 (a gathering's emails share their subject)."""
    return Header(subject, "utf-8").encode(linesep="\n")


def _line(name: str, value: str) -> bytes:
    """One header line; folded (RFC 2047 where not ASCII) as compat32 would when it must be."""
    if value.isascii() and len(name) + len(value) <= 76 and "  " not in value and "\t" not in value:
        return f"{name}: {value}\n".encode("ascii")
    if name == "Subject":  # already encoded
        return f"{name}: {value}\n".encode("ascii")
    return f"{name}: {Header(value, header_name=name).encode(linesep=chr(10))}\n".encode("ascii")


def _text(text: str, subtype: str, params: str = "") -> bytes:
    """A text part in UTF-8, base64 (what MIMEText(text, subtype, "utf-8") writes)."""
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{params}\n'
        "MIME-Version: 1.0\nContent-Transfer-Encoding: base64\n\n"
    ).encode("ascii") + base64.encodebytes(text.encode("utf-8"))


def _multipart(subtype: str, boundary: str, parts: list[bytes], *, folded: bool = False) -> bytes:
    separator = "\n " if folded else " "
    head = f'Content-Type: multipart/{subtype};{separator}boundary="{boundary}"\nMIME-Version: 1.0\n\n'
    delimiter = f"--{boundary}\n".encode("ascii")
    inner = b"".join(delimiter + part + b"\n" for part in parts)
    return head.encode("ascii") + inner + f"--{boundary}--\n".encode("ascii")
