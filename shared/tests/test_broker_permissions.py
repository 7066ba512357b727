"""The broker permissions given to each service cover its own names and nothing of another's."""

from __future__ import annotations

import re

import pytest

from hearth_shared.provision import SERVICES
from hearth_shared.provision_broker import permissions


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_may_use_shared_names_and_its_own_queues_only(service: str) -> None:
    allowed = permissions(service)
    for what in ("configure", "write", "read"):
        rule = re.compile(allowed[what])
        assert rule.match("hearth.events")
        assert rule.match(f"{service}.parking")
        assert rule.match(f"{service}.on_something")
        for other in SERVICES:
            if other != service:
                assert not rule.match(f"{other}.parking"), (what, other)
    assert re.match(allowed["write"], "amq.default")
