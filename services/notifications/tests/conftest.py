"""Notifications' own tests: `unit` (no I/O) and `integration` (a real Postgres, in-process)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Registered here as well as wherever the suite registers them, so these files run alone.
    config.addinivalue_line("markers", "unit: no I/O at all; seconds")
    config.addinivalue_line("markers", "integration: a real Postgres or RabbitMQ, in-process")
