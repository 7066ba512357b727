"""Notifications' own tests: the rules and what emails say, without I/O."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too, so `-m unit` works whether or not the root configuration names it.
    config.addinivalue_line("markers", "unit: no I/O (no database, broker, SMTP or network), seconds")
