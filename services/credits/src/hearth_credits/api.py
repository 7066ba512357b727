"""Credits' HTTP API (OpenAPI at /docs): ledger, progress, transcripts, certificates and their
public verification, self-reported activities."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import asyncpg
from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from hearth_shared.api import Problem
from hearth_shared.contracts.catalogue import CreditCategory, CreditsAwarded
from hearth_shared.db import Connection
from hearth_shared.logs import current_correlation_id
from hearth_shared.messaging import ServiceRuntime, Work

from . import documents, domain, store
from .settings import CreditsSettings

SOURCE = "/hearth/credits"


class EntryOut(BaseModel):
    id: uuid.UUID
    activity_id: uuid.UUID
    title_en: str | None
    title_fr: str | None
    activity_date: date | None
    kind: Literal["award", "reversal"]
    hours: Decimal
    category: str
    cycle: str
    reverses: uuid.UUID | None
    basis: str
    recorded_at: datetime


class ProgressOut(BaseModel):
    person_id: uuid.UUID
    cycle: str
    starts_on: date
    ends_before: date
    earned: Decimal
    carried_in: Decimal
    total: Decimal
    required: Decimal
    remaining: Decimal


class TranscriptRow(BaseModel):
    date: date
    activity: str
    category: str
    hours: Decimal


class TranscriptOut(BaseModel):
    person_id: uuid.UUID
    cycle: str
    rows: list[TranscriptRow]
    progress: ProgressOut


class VerificationOut(BaseModel):
    code: str
    status: Literal["valid", "revoked"]
    holder: str | None = Field(description="None when the holder's details were erased")
    activity: str
    hours: Decimal
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None


class SelfReportIn(BaseModel):
    title: str = Field(min_length=1, max_length=300, examples=["Trauma-informed practice course"])
    category: CreditCategory
    hours: Decimal = Field(gt=0, le=100, decimal_places=2)
    activity_date: date
    evidence: str = Field(min_length=1, max_length=5000, description="What shows it happened")


class SelfReportOut(SelfReportIn):
    id: uuid.UUID
    person_id: uuid.UUID
    status: Literal["pending", "approved", "rejected"]
    decision_reason: str | None
    submitted_at: datetime
    decided_at: datetime | None


class Decision(BaseModel):
    approved: bool
    reason: str | None = Field(default=None, max_length=2000, description="Required to reject")


def router(runtime: ServiceRuntime, settings: CreditsSettings) -> APIRouter:
    api = APIRouter(tags=["credits"])
    rule = settings.cycle_rule()

    def pool() -> asyncpg.Pool:
        assert runtime.pool is not None, "the runtime starts before requests are served"
        return runtime.pool

    def cycle_named(label: str | None) -> domain.Cycle:
        if label is None:
            return rule.cycle_of(datetime.now(UTC).date())
        try:
            return rule.named(label)
        except ValueError as exc:
            raise Problem(422, "invalid", str(exc), "cycle") from None

    async def progress(conn: Connection, person_id: uuid.UUID, cycle: domain.Cycle) -> domain.Progress:
        earned = await store.hours_in_cycle(conn, person_id, cycle.label)
        before = await store.hours_in_cycle(conn, person_id, cycle.previous.label)
        return rule.progress(earned, before)

    def progress_out(person_id: uuid.UUID, cycle: domain.Cycle, figures: domain.Progress) -> ProgressOut:
        return ProgressOut(
            person_id=person_id, cycle=cycle.label, starts_on=cycle.starts_on, ends_before=cycle.ends_before,
            **vars(figures),
        )  # fmt: skip

    @api.get("/people/{person_id}/ledger")
    async def show_ledger(person_id: uuid.UUID, cycle: str | None = None) -> list[EntryOut]:
        """Every entry, awards and reversals, oldest first."""
        async with pool().acquire() as conn:
            return [EntryOut(**dict(r)) for r in await store.ledger(conn, person_id, cycle)]

    @api.get("/people/{person_id}/progress")
    async def show_progress(person_id: uuid.UUID, cycle: str | None = None) -> ProgressOut:
        """Hours in the cycle (the current one by default) against what is required."""
        period = cycle_named(cycle)
        async with pool().acquire() as conn:
            return progress_out(person_id, period, await progress(conn, person_id, period))

    @api.get(
        "/people/{person_id}/transcript",
        responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
    )
    async def transcript(
        person_id: uuid.UUID,
        cycle: str | None = None,
        format: Literal["json", "csv", "pdf"] = "json",
        language: Literal["en", "fr"] | None = None,
    ) -> Response:
        """The cycle's activities with net hours; its totals are the ledger's sums."""
        period = cycle_named(cycle)
        async with pool().acquire() as conn:
            entries = await store.ledger(conn, person_id, period.label)
            figures = await progress(conn, person_id, period)
            person = await store.person(conn, person_id)
        language = language or (person["language"] if person else "en")
        rows = documents.transcript_rows(entries, language)
        if format == "csv":
            return Response(
                documents.transcript_csv(rows),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="transcript-{period.label}.csv"'},
            )
        if format == "pdf":
            pdf = documents.transcript_pdf(
                person["name"] if person else None, period.label, rows, figures, language
            )
            return Response(pdf, media_type="application/pdf")
        body = TranscriptOut(
            person_id=person_id,
            cycle=period.label,
            rows=[TranscriptRow(**r) for r in rows],
            progress=progress_out(person_id, period, figures),
        )
        return Response(body.model_dump_json(), media_type="application/json")

    @api.get(
        "/certificates/{code}.pdf",
        response_class=Response,
        responses={200: {"content": {"application/pdf": {}}}},
    )
    async def certificate_pdf(code: str, request: Request) -> Response:
        async with pool().acquire() as conn:
            cert = await store.certificate(conn, code)
        if cert is None:
            raise Problem(404, "not_found", f"no certificate {code}", "code")
        verify_url = str(request.url_for("verify", code=code))
        return Response(documents.certificate_pdf(cert, verify_url), media_type="application/pdf")

    @api.get("/verify/{code}", name="verify", tags=["public"])
    async def verify(code: str) -> VerificationOut:
        """Public: anyone holding a certificate's code (a regulator) can check it."""
        async with pool().acquire() as conn:
            cert = await store.certificate(conn, code.strip().upper())
        if cert is None:
            raise Problem(404, "not_found", "no certificate has this code", "code")
        return VerificationOut(
            code=cert["code"],
            status="revoked" if cert["revoked_at"] else "valid",
            holder=None if cert["erased_at"] else cert["name"],
            activity=cert[f"title_{cert['language']}"],
            hours=cert["hours"],
            issued_at=cert["issued_at"],
            revoked_at=cert["revoked_at"],
            revoked_reason=cert["revoked_reason"],
        )

    @api.post("/people/{person_id}/self-reports", status_code=status.HTTP_201_CREATED, tags=["self-reports"])
    async def report_activity(person_id: uuid.UUID, body: SelfReportIn) -> SelfReportOut:
        """An activity outside Hearth (a course, reading, supervision), for staff to decide on."""
        async with pool().acquire() as conn:
            row = await store.insert_self_report(
                conn,
                person_id,
                body.title,
                body.category.value,
                body.hours,
                body.activity_date,
                body.evidence,
            )
        return SelfReportOut(**dict(row))

    @api.get("/self-reports", tags=["self-reports"])
    async def list_self_reports(
        status: Literal["pending", "approved", "rejected"] | None = "pending",
        person_id: Annotated[uuid.UUID | None, Query()] = None,
    ) -> list[SelfReportOut]:
        async with pool().acquire() as conn:
            return [
                SelfReportOut(**dict(r))
                for r in await store.self_reports(conn, status=status, person_id=person_id)
            ]

    @api.post("/self-reports/{report_id}/decision", tags=["self-reports"])
    async def decide(report_id: uuid.UUID, body: Decision) -> SelfReportOut:
        """Approve (the hours enter the ledger) or reject with a reason."""
        if not body.approved and not body.reason:
            raise Problem(422, "invalid", "a rejection needs a reason the person will read", "reason")
        async with pool().acquire() as conn, conn.transaction():
            report = await store.lock_self_report(conn, report_id)
            if report is None:
                raise Problem(404, "not_found", f"no self-report {report_id}")
            if report["status"] != "pending":
                raise Problem(409, "already_decided", f"this self-report is already {report['status']}")
            decided = await store.decide_self_report(
                conn, report_id, "approved" if body.approved else "rejected", body.reason, datetime.now(UTC)
            )
            if body.approved:
                await _award_self_report(conn, decided, rule)
        return SelfReportOut(**dict(decided))

    return api


async def _award_self_report(conn: Connection, report: asyncpg.Record, rule: domain.CycleRule) -> None:
    cycle = rule.cycle_of(report["activity_date"]).label
    entry = store.Entry(
        report["person_id"],
        report["id"],
        "award",
        report["hours"],
        report["category"],
        cycle,
        "self-reported activity, approved",
    )
    await store.append_entries(conn, [entry])
    award = CreditsAwarded(
        entry_id=entry.id,
        person_id=report["person_id"],
        activity_id=report["id"],
        hours=report["hours"],
        category=report["category"],
        cycle=cycle,
    )
    await Work(conn=conn, source=SOURCE, correlation_id=current_correlation_id()).publish(award)
