"""The test kit's own rules, without I/O: `eventually` waits for the answer it is told to, and each
test's layer (unit, integration, e2e) follows from the fixtures it uses."""

from __future__ import annotations

import pytest

from hearth_testing.layers import layer_of
from hearth_testing.waiting import eventually


class Counter:
    """A probe whose answer is how many times it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> int:
        self.calls += 1
        return self.calls


async def test_eventually_returns_the_first_answer_that_satisfies() -> None:
    probe = Counter()
    assert await eventually(probe, lambda n: n >= 3, interval=0.001) == 3
    assert probe.calls == 3  # and asks no more


async def test_eventually_times_out_naming_the_last_answer() -> None:
    with pytest.raises(TimeoutError, match=r"the count: not so after 0.05s; the last answer was \d+"):
        await eventually(Counter(), lambda n: n < 0, timeout=0.05, interval=0.001, what="the count")


async def test_a_probe_that_fails_ends_the_wait_with_its_own_error() -> None:
    async def probe() -> int:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await eventually(probe)


async def test_a_probe_that_times_out_itself_is_not_reported_as_the_wait() -> None:
    async def probe() -> int:
        raise TimeoutError("the probe's own")

    with pytest.raises(TimeoutError, match="the probe's own"):
        await eventually(probe, timeout=5)


@pytest.mark.parametrize(
    ("fixtures", "layer"),
    [
        ((), "unit"),
        (("tmp_path", "monkeypatch"), "unit"),
        (("name_prefix", "infra", "session_id"), "integration"),
        (("database",), "integration"),
        (("amqp", "start_service", "infra"), "e2e"),
        (("smtp_sink",), "e2e"),
        (("broker_proxy",), "e2e"),
    ],
)
def test_a_test_is_as_deep_as_the_deepest_thing_it_uses(fixtures: tuple[str, ...], layer: str) -> None:
    assert layer_of(fixtures) == layer


def test_this_module_is_marked_unit(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("unit") is not None
    assert request.node.get_closest_marker("integration") is None
