"""The certificates table: at most one valid certificate per person and activity, each with a
verification code anyone holding it can check."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hearth_shared.db import Connection

from ..domain.attendance import Pair
from ..domain.certificates import Certificate


async def certified(conn: Connection, pairs: Sequence[Pair]) -> set[Pair]:
    """The pairs that hold a valid certificate."""
    rows = await conn.fetch(
        """SELECT activity_id, person_id FROM certificates
           JOIN unnest($1::uuid[], $2::uuid[]) AS p(activity_id, person_id) USING (activity_id, person_id)
           WHERE revoked_at IS NULL""",
        [a for a, _ in pairs],
        [p for _, p in pairs],
    )
    return {(r["activity_id"], r["person_id"]) for r in rows}


async def insert(conn: Connection, certificates: Sequence[Certificate]) -> None:
    if not certificates:
        return
    await conn.execute(
        """INSERT INTO certificates (id, code, entry_id, person_id, activity_id, hours, language)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[],
                                $6::numeric[], $7::text[])""",
        [c.id for c in certificates],
        [c.code for c in certificates],
        [c.entry_id for c in certificates],
        [c.person_id for c in certificates],
        [c.activity_id for c in certificates],
        [c.hours for c in certificates],
        [c.language for c in certificates],
    )


async def revoke(conn: Connection, revoked: Mapping[Pair, str]) -> None:
    """Revoke each pair's valid certificate, with the reason given for it."""
    if not revoked:
        return
    await conn.execute(
        """UPDATE certificates c SET revoked_at = now(), revoked_reason = r.reason
           FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS r(activity_id, person_id, reason)
           WHERE c.activity_id = r.activity_id AND c.person_id = r.person_id AND c.revoked_at IS NULL""",
        [a for a, _ in revoked],
        [p for _, p in revoked],
        list(revoked.values()),
    )


@dataclass(frozen=True)
class CertificateDetails:
    """A certificate with what its PDF and its verification page show."""

    code: str
    hours: Decimal
    language: str
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
    title_en: str
    title_fr: str
    starts_at: datetime
    time_zone: str
    category: str
    name: str | None  # None once erased
    erased_at: datetime | None

    @property
    def title(self) -> str:
        """The activity's title in the certificate's language."""
        return self.title_fr if self.language == "fr" else self.title_en


async def details(conn: Connection, code: str) -> CertificateDetails | None:
    row = await conn.fetchrow(
        """SELECT c.code, c.hours, c.language, c.issued_at, c.revoked_at, c.revoked_reason,
                  a.title_en, a.title_fr, a.starts_at, a.time_zone, l.category, p.name, p.erased_at
           FROM certificates c JOIN activities a ON a.id = c.activity_id
                JOIN ledger l ON l.id = c.entry_id
                LEFT JOIN people p ON p.id = c.person_id
           WHERE c.code = $1""",
        code,
    )
    return CertificateDetails(**dict(row)) if row else None


@dataclass(frozen=True)
class HeldCertificate:
    """One of a person's certificates, valid or revoked, as the staff person page lists them."""

    code: str
    activity_id: uuid.UUID
    title_en: str | None
    title_fr: str | None
    hours: Decimal
    language: str
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None


async def of_person(
    conn: Connection, person_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[HeldCertificate], int]:
    """One page of the person's certificates, the newest first, and how many they hold."""
    rows = await conn.fetch(
        """SELECT c.code, c.activity_id, a.title_en, a.title_fr, c.hours, c.language, c.issued_at,
                  c.revoked_at, c.revoked_reason
           FROM certificates c LEFT JOIN activities a ON a.id = c.activity_id
           WHERE c.person_id = $1 ORDER BY c.issued_at DESC, c.code LIMIT $2 OFFSET $3""",
        person_id,
        limit,
        offset,
    )
    total = await conn.fetchval("SELECT count(*) FROM certificates WHERE person_id = $1", person_id)
    return [HeldCertificate(**dict(r)) for r in rows], int(total)
