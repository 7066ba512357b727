"""Credits' settings: the shared ones plus the association's CPD cycle (HEARTH_CYCLE_*)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from hearth_shared.settings import ServiceSettings

from .domain.cycles import CycleRule


class CreditsSettings(ServiceSettings):
    http_port: int = 8002
    cycle_start_month: int = Field(default=4, ge=1, le=12)
    cycle_start_day: int = Field(default=1, ge=1, le=28)
    cycle_required_hours: Decimal = Field(default=Decimal(40), ge=0)
    cycle_carry_over_hours: Decimal = Field(default=Decimal(10), ge=0)
    # Batches of attendance applied at once (HEARTH_ATTENDANCE_CONCURRENCY): while one waits for
    # its commit, the next is being worked on.
    attendance_concurrency: int = Field(default=4, ge=1, le=16)
    # The public site (the gateway) whose /verify page a certificate's QR code and link name.
    public_url: str = "http://localhost:8000"

    def cycle_rule(self) -> CycleRule:
        return CycleRule(
            self.cycle_start_month,
            self.cycle_start_day,
            self.cycle_required_hours,
            self.cycle_carry_over_hours,
        )
