"""Staff's list of a gathering's registrants: every filter the staff pages offer, applied here, a
page at a time with the total, so no caller has to fetch ten thousand rows to show fifty."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hearth_shared.db import Connection

from .rows import many
from .tickets import TicketHolder

NO_BREAKOUT = "none"


@dataclass(frozen=True)
class Registrant(TicketHolder):
    checked_in: bool  # attendance of more than 0 minutes is recorded (an undone check-in is 0)


@dataclass(frozen=True)
class RegistrantFilter:
    status: str | None = None
    ticket_type: str | None = None
    breakout: uuid.UUID | str | None = None  # a breakout id, NO_BREAKOUT, or None (any)
    checked_in: bool | None = None
    search: str | None = None  # part of a name or email

    def arguments(self) -> tuple[object, ...]:
        in_none = self.breakout == NO_BREAKOUT
        breakout = self.breakout if isinstance(self.breakout, uuid.UUID) else None
        return self.status, self.ticket_type, breakout, in_none, self.checked_in, self.search


# $1 the gathering, $2.. the filter's arguments in RegistrantFilter.arguments' order. People are
# joined only for the rows shown, attendance by its (gathering, person) key. A search looks at the
# gathering's holders one by one (OFFSET 0 keeps the planner from scanning every person instead).
_TICKETS = "FROM tickets t"
_SEARCHED = """FROM tickets t JOIN LATERAL (
               SELECT s.name, s.email FROM people s WHERE s.id = t.person_id OFFSET 0) s ON true"""
_WHERE = """LEFT JOIN attendance a ON a.gathering_id = t.gathering_id AND a.person_id = t.person_id
           WHERE t.gathering_id = $1
             AND ($2::text IS NULL OR t.status = $2 OR ($2 = 'active' AND t.status = 'awaiting_payment'))
             AND ($3::text IS NULL OR t.ticket_type = $3)
             AND ($4::uuid IS NULL OR t.breakout_id = $4)
             AND (NOT $5::boolean OR t.breakout_id IS NULL)
             AND ($6::boolean IS NULL OR $6 = coalesce(a.minutes_attended > 0, false))"""
_SEARCH = "AND (s.name ILIKE '%' || $7 || '%' OR s.email ILIKE '%' || $7 || '%')"


def _from(filters: RegistrantFilter) -> str:
    return (
        f"{_SEARCHED} {_WHERE} {_SEARCH}" if filters.search else f"{_TICKETS} {_WHERE} AND $7::text IS NULL"
    )


async def page(
    conn: Connection, gathering_id: uuid.UUID, filters: RegistrantFilter, *, limit: int, offset: int
) -> tuple[list[Registrant], int]:
    """One page of the registrants the filters keep, oldest ticket first, and how many they keep.
    Status `active` means holding a seat: paid, or held awaiting payment (each row says which)."""
    found = _from(filters)
    records = await conn.fetch(
        f"""SELECT r.*, b.name_en AS breakout,
                   p.id AS person_id, p.name, p.email, p.preferred_language, p.member_id,
                   p.profession, p.regulatory_body, p.region, p.erased_at
            FROM (SELECT t.id AS ticket_id, t.status, t.ticket_type, t.price_cents, t.currency,
                         t.created_at, t.hold_expires_at, t.breakout_id, t.person_id AS holder,
                         coalesce(a.minutes_attended > 0, false) AS checked_in
                  {found}
                  ORDER BY t.created_at, t.id LIMIT $8 OFFSET $9) r
                 JOIN people p ON p.id = r.holder LEFT JOIN breakouts b ON b.id = r.breakout_id
            ORDER BY r.created_at, r.ticket_id""",  # noqa: S608 - fixed text
        gathering_id,
        *filters.arguments(),
        limit,
        offset,
    )
    total = await conn.fetchval(f"SELECT count(*) {found}", gathering_id, *filters.arguments())
    return many(Registrant, records), int(total)
