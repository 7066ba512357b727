"""The ledger (append-only) and the standing table (the award standing now for each person and
activity: the row a correction locks, so two deliveries can never both award)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from hearth_shared.db import Connection

from ..domain.attendance import Pair
from ..domain.ledger import Entry, Standing


async def lock_standings(conn: Connection, pairs: Sequence[Pair]) -> dict[Pair, Standing]:
    """The current award of each pair, locked (created empty the first time), in a fixed order."""
    ordered = sorted(set(pairs))
    activity_ids, person_ids = [a for a, _ in ordered], [p for _, p in ordered]
    await conn.execute(
        "INSERT INTO standing (activity_id, person_id) SELECT * FROM unnest($1::uuid[], $2::uuid[]) "
        "ON CONFLICT DO NOTHING",
        activity_ids,
        person_ids,
    )
    rows = await conn.fetch(
        """SELECT s.activity_id, s.person_id, s.entry_id, s.hours, s.category, s.cycle FROM standing s
           JOIN unnest($1::uuid[], $2::uuid[]) AS p(activity_id, person_id) USING (activity_id, person_id)
           ORDER BY s.activity_id, s.person_id FOR UPDATE OF s""",
        activity_ids,
        person_ids,
    )
    return {(r["activity_id"], r["person_id"]): Standing(**dict(r)) for r in rows}


async def set_standings(conn: Connection, standings: Sequence[Standing]) -> None:
    if not standings:
        return
    await conn.execute(
        """UPDATE standing s
           SET entry_id = n.entry_id, hours = n.hours, category = n.category, cycle = n.cycle
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::numeric[], $5::text[], $6::text[])
                AS n(activity_id, person_id, entry_id, hours, category, cycle)
           WHERE s.activity_id = n.activity_id AND s.person_id = n.person_id""",
        [n.activity_id for n in standings],
        [n.person_id for n in standings],
        [n.entry_id for n in standings],
        [n.hours for n in standings],
        [n.category for n in standings],
        [n.cycle for n in standings],
    )


async def append(conn: Connection, entries: Sequence[Entry]) -> None:
    """Append to the ledger, in the order given (its `seq` keeps that order)."""
    if not entries:
        return
    await conn.execute(
        """INSERT INTO ledger (id, person_id, activity_id, kind, hours, category, cycle, reverses, basis)
           SELECT e.id, e.person_id, e.activity_id, e.kind, e.hours, e.category, e.cycle, e.reverses, e.basis
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::numeric[], $6::text[],
                       $7::text[], $8::uuid[], $9::text[]) WITH ORDINALITY
                AS e(id, person_id, activity_id, kind, hours, category, cycle, reverses, basis, n)
           ORDER BY e.n""",
        [e.id for e in entries],
        [e.person_id for e in entries],
        [e.activity_id for e in entries],
        [e.kind for e in entries],
        [e.hours for e in entries],
        [e.category for e in entries],
        [e.cycle for e in entries],
        [e.reverses for e in entries],
        [e.basis for e in entries],
    )


@dataclass(frozen=True)
class LedgerLine:
    """A ledger entry as a person's ledger and transcript show it: with when it was recorded and
    its activity's title and date (a gathering's, or a self-reported activity's)."""

    entry: Entry
    recorded_at: datetime
    title_en: str | None
    title_fr: str | None
    activity_date: date | None

    def title(self, language: str) -> str | None:
        return self.title_fr if language == "fr" else self.title_en


async def lines(conn: Connection, person_id: uuid.UUID, cycle: str | None = None) -> list[LedgerLine]:
    """A person's entries (of one cycle, or all), oldest first."""
    rows = await conn.fetch(
        """SELECT l.id, l.person_id, l.activity_id, l.kind, l.hours, l.category, l.cycle, l.reverses,
                  l.basis, l.recorded_at, coalesce(a.title_en, s.title) AS title_en,
                  coalesce(a.title_fr, s.title) AS title_fr,
                  coalesce(a.starts_at::date, s.activity_date) AS activity_date
           FROM ledger l LEFT JOIN activities a ON a.id = l.activity_id
                LEFT JOIN self_reports s ON s.id = l.activity_id
           WHERE l.person_id = $1 AND ($2::text IS NULL OR l.cycle = $2) ORDER BY l.seq""",
        person_id,
        cycle,
    )
    return [
        LedgerLine(
            Entry(
                id=r["id"],
                person_id=r["person_id"],
                activity_id=r["activity_id"],
                kind=r["kind"],
                hours=r["hours"],
                category=r["category"],
                cycle=r["cycle"],
                basis=r["basis"],
                reverses=r["reverses"],
            ),
            recorded_at=r["recorded_at"],
            title_en=r["title_en"],
            title_fr=r["title_fr"],
            activity_date=r["activity_date"],
        )
        for r in rows
    ]


async def hours_in_cycle(conn: Connection, person_id: uuid.UUID, cycle: str) -> Decimal:
    total = await conn.fetchval(
        "SELECT coalesce(sum(hours), 0) FROM ledger WHERE person_id = $1 AND cycle = $2", person_id, cycle
    )
    return Decimal(total)
