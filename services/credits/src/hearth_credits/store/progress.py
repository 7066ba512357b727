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
    record = await conn.fetchrow(
        """WITH now_ AS (SELECT person_id, sum(hours) AS hours FROM ledger
                         WHERE cycle = $1 GROUP BY person_id),
                before AS (SELECT person_id, sum(hours) AS hours FROM ledger
                           WHERE cycle = $2 GROUP BY person_id),
                totals AS (
                    SELECT coalesce(n.hours, 0)
                           + least(greatest(coalesce(b.hours, 0) - $3, 0), $4) AS total
                    FROM people p LEFT JOIN now_ n ON n.person_id = p.id
                         LEFT JOIN before b ON b.person_id = p.id
                    WHERE p.erased_at IS NULL)
           SELECT count(*) AS people, count(*) FILTER (WHERE total < $3) AS behind,
                  count(*) FILTER (WHERE total >= $3) AS done
           FROM totals""",
        cycle,
        previous,
        required,
        carry_over,
    )
    assert record is not None
    return Standing(int(record["people"]), int(record["behind"]), int(record["done"]))
