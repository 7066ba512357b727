"""Certificates of attendance and transcripts as PDF (reportlab) and CSV, in the person's language:
presentation of what the store reads, with no rule of its own but the transcript's netting of an
award against its reversal."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

from ..domain.cycles import Progress
from ..store.certificates import CertificateDetails
from ..store.ledger import LedgerLine

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "certificate": "Certificate of attendance",
        "certifies": "This certifies that",
        "attended": "attended",
        "on": "on",
        "earning": "earning {hours} hours of continuing professional development ({category}).",
        "verify": "Verify this certificate at {url} with the code",
        "erased": "(holder's details erased at their request)",
        "revoked": "REVOKED",
        "transcript": "CPD transcript",
        "cycle": "Cycle",
        "date": "Date",
        "activity": "Activity",
        "category": "Category",
        "hours": "Hours",
        "earned": "Earned this cycle",
        "carried": "Carried over",
        "total": "Total",
        "required": "Required",
        "remaining": "Remaining",
    },
    "fr": {
        "certificate": "Attestation de participation",
        "certifies": "Nous attestons que",
        "attended": "a participé à",
        "on": "le",
        "earning": "soit {hours} heures de formation continue ({category}).",
        "verify": "Vérifiez cette attestation sur {url} avec le code",
        "erased": "(coordonnées effacées à la demande de la personne)",
        "revoked": "RÉVOQUÉE",
        "transcript": "Relevé de formation continue",
        "cycle": "Période",
        "date": "Date",
        "activity": "Activité",
        "category": "Catégorie",
        "hours": "Heures",
        "earned": "Acquises cette période",
        "carried": "Reportées",
        "total": "Total",
        "required": "Exigées",
        "remaining": "Restantes",
    },
}


def _hours(value: Decimal, language: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if language == "fr" else text


def certificate_pdf(cert: CertificateDetails, verify_url: str) -> bytes:
    """One page: who, what, when, how many hours, and a QR code of the verification link."""
    language = cert.language
    words = WORDS[language]
    local = cert.starts_at.astimezone(ZoneInfo(cert.time_zone))
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=LETTER, invariant=True)
    pdf.setTitle(words["certificate"])
    width, height = LETTER
    pdf.setFont("Helvetica-Bold", 24)
    pdf.drawCentredString(width / 2, height - 4 * cm, words["certificate"])
    pdf.setFont("Helvetica", 13)
    lines = [
        words["certifies"],
        cert.name or words["erased"],
        words["attended"],
        cert.title,
        f"{words['on']} {format_date(local.date(), format='long', locale=_locale(language))}",
        words["earning"].format(hours=_hours(cert.hours, language), category=cert.category),
    ]
    y = height - 6.5 * cm
    for line in lines:
        pdf.drawCentredString(width / 2, y, line)
        y -= 1.0 * cm
    pdf.setFont("Helvetica", 10)
    pdf.drawCentredString(width / 2, 5.5 * cm, words["verify"].format(url=verify_url))
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawCentredString(width / 2, 4.8 * cm, cert.code)
    qr = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 3.5 * cm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width / 2 - size / 2, 1 * cm)
    if cert.revoked_at is not None:  # the credit was reversed: the paper must not pass for valid
        _stamp(pdf, words["revoked"], width, height)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _stamp(pdf: Canvas, word: str, width: float, height: float) -> None:
    pdf.saveState()
    pdf.setFillColorRGB(0.75, 0.05, 0.05)
    pdf.setFont("Helvetica-Bold", 72)
    pdf.translate(width / 2, height / 2)
    pdf.rotate(30)
    pdf.drawCentredString(0, 0, word)
    pdf.restoreState()


TRANSCRIPT_COLUMNS = ("date", "activity", "category", "hours")


def transcript_rows(lines: Sequence[LedgerLine], language: str) -> list[dict[str, str]]:
    """Net hours per activity (an award and its reversal cancel), in date order."""
    by_activity: dict[uuid.UUID, _Row] = {}
    for line in lines:
        entry = line.entry
        row = by_activity.setdefault(
            entry.activity_id, _Row(line.activity_date, line.title(language), entry.category)
        )
        row.hours += entry.hours
    rows = sorted((r for r in by_activity.values() if r.hours != 0), key=lambda r: (r.date, r.activity))
    return [
        {
            "date": r.date.isoformat(),
            "activity": r.activity,
            "category": r.category,
            "hours": f"{r.hours:.2f}",
        }
        for r in rows
    ]


@dataclass
class _Row:
    """One activity's line of a transcript while its entries are summed."""

    date: Any  # a date (the ledger's entries all have an activity with a date and a title)
    activity: Any
    category: str
    hours: Decimal = Decimal(0)


def transcript_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TRANSCRIPT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def transcript_pdf(
    name: str | None, cycle: str, rows: list[dict[str, str]], progress: Progress, language: str
) -> bytes:
    words = WORDS[language]
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=LETTER, invariant=True)
    pdf.setTitle(words["transcript"])
    height = LETTER[1]
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(2 * cm, height - 2.5 * cm, words["transcript"])
    pdf.setFont("Helvetica", 11)
    pdf.drawString(2 * cm, height - 3.3 * cm, f"{name or words['erased']} — {words['cycle']} {cycle}")
    y = height - 4.5 * cm
    columns = (2 * cm, 4.8 * cm, 13 * cm, 17.5 * cm)
    pdf.setFont("Helvetica-Bold", 10)
    for x, key in zip(columns, TRANSCRIPT_COLUMNS, strict=True):
        pdf.drawString(x, y, words[key])
    pdf.setFont("Helvetica", 10)
    for row in rows:
        y -= 0.6 * cm
        if y < 4 * cm:
            pdf.showPage()
            pdf.setFont("Helvetica", 10)
            y = height - 2.5 * cm
        pdf.drawString(columns[0], y, row["date"])
        pdf.drawString(columns[1], y, row["activity"][:55])
        pdf.drawString(columns[2], y, row["category"])
        pdf.drawRightString(columns[3] + 1.5 * cm, y, _hours(Decimal(row["hours"]), language))
    y -= 1.2 * cm
    for key in ("earned", "carried", "total", "required", "remaining"):
        value = getattr(progress, {"carried": "carried_in"}.get(key, key))
        pdf.drawString(columns[2], y, words[key])
        pdf.drawRightString(columns[3] + 1.5 * cm, y, _hours(value, language))
        y -= 0.55 * cm
    pdf.drawString(2 * cm, 2 * cm, datetime.now().date().isoformat())
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _locale(language: str) -> str:
    return "fr_CA" if language == "fr" else "en_CA"
