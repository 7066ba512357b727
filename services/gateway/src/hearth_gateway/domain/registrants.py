"""Which registrants a staff member asked to see: the filters, checked once for every surface that
shows them (the list, its pages, the CSV)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True)
class Filters:
    status: str = "active"
    ticket_type: str = ""
    breakout: str = ""  # a breakout id, or "none" for those in none
    checked_in: str = ""  # "yes", "no" or "" (either)
    q: str = ""

    @classmethod
    def of(cls, status: str, ticket_type: str, breakout: str, checked_in: str, q: str) -> Filters:
        return cls(
            status if status in ("active", "cancelled") else "active",
            ticket_type,
            breakout,
            checked_in if checked_in in ("yes", "no") else "",
            q.strip(),
        )

    def query(self) -> str:
        return urlencode({k: v for k, v in vars(self).items() if v})

    def keeps(self, registrant: dict[str, Any]) -> bool:
        """The filters registration cannot apply itself (breakout, checked in)."""
        if self.breakout and (registrant["breakout_id"] or "none") != self.breakout:
            return False
        return not self.checked_in or registrant["checked_in"] == (self.checked_in == "yes")
