"""Staff's view of a gathering's waiting list, against a real registration process and database:
who holds each place, in the order they joined, a page at a time, with the count of the whole
line in `X-Total-Count` (as registration's other staff lists)."""

from __future__ import annotations

from hearth_testing.builders import person
from hearth_testing.fixtures import StartService

from .helpers import schedule_gathering


async def test_the_line_is_paged_in_order_with_names_and_a_total(start_service: StartService) -> None:
    registration = await start_service("registration")
    gathering_id = await schedule_gathering(registration, capacity=1)
    buyers = [person() for _ in range(5)]
    async with registration.client() as client:
        outcomes = [(await client.post(f"/gatherings/{gathering_id}/tickets", json=b)).json() for b in buyers]
        line = [o["waitlist_entry"]["id"] for o in outcomes[1:]]  # the first took the only seat
        withdrawn = await client.post(f"/waitlist/{line[0]}/withdraw")
        waiting = await client.get(
            f"/gatherings/{gathering_id}/waitlist", params={"status": "waiting", "limit": 2, "offset": 1}
        )
        either = await client.get(
            f"/gatherings/{gathering_id}/waitlist", params={"status": ["waiting", "withdrawn"], "limit": 1}
        )
        everyone = await client.get(f"/gatherings/{gathering_id}/waitlist")
        wrong = await client.get(f"/gatherings/{gathering_id}/waitlist", params={"status": "lost"})

    assert withdrawn.status_code == 200, withdrawn.text
    assert waiting.status_code == 200, waiting.text
    assert waiting.headers["X-Total-Count"] == "3"  # four joined, one left
    assert [e["id"] for e in waiting.json()] == line[2:4]  # second and third of those still waiting
    assert [e["name"] for e in waiting.json()] == [b["name"] for b in buyers[3:5]]
    assert {e["status"] for e in waiting.json()} == {"waiting"}
    assert either.headers["X-Total-Count"] == "4"
    assert [e["id"] for e in either.json()] == line[:1]
    assert everyone.headers["X-Total-Count"] == "4"
    assert [e["id"] for e in everyone.json()] == line
    assert wrong.status_code == 422
