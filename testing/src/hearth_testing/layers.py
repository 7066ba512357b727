"""Which layer a test belongs to, from what it uses: `unit`, `integration` or `e2e` (the pytest
markers registered in pyproject.toml and applied by the root conftest.py).

A test's fixtures, with the fixtures they use in turn, say what it touches: a process beside it
makes it e2e, the real broker or database makes it integration, nothing of those makes it unit.
"""

from __future__ import annotations

from collections.abc import Iterable

LAYERS = ("unit", "integration", "e2e")
# The real broker and database, in the test process (conftest.py and hearth_testing.fixtures).
INTEGRATION_FIXTURES = frozenset({"infra", "database", "amqp"})
# Processes and servers beside the test: `python -m hearth_<service>` (hearth_testing.processes),
# the SMTP sink, the proxy that cuts a service off from the broker.
E2E_FIXTURES = frozenset({"start_service", "smtp_sink", "broker_proxy"})


def layer_of(fixture_names: Iterable[str]) -> str:
    """e2e if the test runs processes, integration if it touches the broker or database, else unit."""
    used = set(fixture_names)
    if used & E2E_FIXTURES:
        return "e2e"
    if used & INTEGRATION_FIXTURES:
        return "integration"
    return "unit"
