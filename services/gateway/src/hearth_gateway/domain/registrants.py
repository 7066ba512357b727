"""Which registrants a staff member asked to see: the filters, checked once for every surface that
shows them (the list, its pages, the CSV)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

# "active": holding a seat (confirmed, or held awaiting payment); the others, that state alone.
STATUSES = ("active", "awaiting_payment", "cancelled", "expired")


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
            status if status in STATUSES else "active",
            ticket_type,
            breakout,
            checked_in if checked_in in ("yes", "no") else "",
            q.strip(),
        )

    def query(self) -> str:
        return urlencode({k: v for k, v in vars(self).items() if v})

    def params(self) -> dict[str, Any]:
        """The filters as registration's registrant list takes them: it applies every one."""
        return {
            "status": self.status,
            "ticket_type": self.ticket_type,
            "breakout": self.breakout,
            "checked_in": {"yes": "true", "no": "false"}.get(self.checked_in),
            "q": self.q,
        }
