"""Registration's own tests: its rules without I/O (marker `unit`), and its actions on a real
Postgres, in-process (marker `integration`)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too, so these tests run under --strict-markers whatever the root config says.
    config.addinivalue_line("markers", "unit: no I/O; runs in seconds")
    config.addinivalue_line("markers", "integration: real Postgres or RabbitMQ, in-process")
