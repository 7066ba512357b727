"""Everyone's progress through a cycle at once, counted in the database (the staff dashboard's
"how many are behind"): the same rule as `CycleRule.progress`, earned hours plus what the cycle
before carries in, against what is required."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hearth_shared.db import Connection


@dataclass(frozen=True)
class Standing:
    people: int  # everyone credits knows who is not erased
    behind: int  # their total for the cycle is below what is required
    done: int  # they have what is required


async def standing(
    conn: Connection, cycle: str, previous: str, required: Decimal, carry_over: Decimal
) -> Standing:
    # One pass over both cycles' rows (the ledger_cycle index holds the hours), then who has enough;
    # everyone else credits knows is behind, whether they earned anything or not.
    done = await conn.fetchval(
        """SELECT count(*) FROM (
               SELECT l.person_id,
                      coalesce(sum(l.hours) FILTER (WHERE l.cycle = $1), 0)
                      + least(greatest(coalesce(sum(l.hours) FILTER (WHERE l.cycle = $2), 0) - $3, 0), $4)
                      AS total
               FROM ledger l WHERE l.cycle IN ($1, $2)
               GROUP BY l.person_id) t
           WHERE total >= $3
             AND EXISTS (SELECT 1 FROM people p WHERE p.id = t.person_id AND p.erased_at IS NULL)""",
        cycle,
        previous,
        required,
        carry_over,
    )
    people = await conn.fetchval("SELECT count(*) FROM people WHERE erased_at IS NULL")
    return Standing(int(people), int(people) - int(done), int(done))
