"""Formation benchmark: groups from 10,000 interests across 20 topics and two languages.

Formation is pure (hearth_groups.domain.formation), so this times the function itself, with no
database or broker: the median of several runs, and the spread of the group sizes it makes.
Two pools, fixed seeds so every run sees the same input:

- *peer supervision*: every interest for peer supervision (4–8 a group, regions kept together, five
  regions), 70 % English / 30 % French, and a third of the people already were in a peer-supervision
  group together (the pairs of an earlier formation), so repeat pairings have to be avoided;
- *every kind*: the six kinds in equal shares, with their own bounds and region rules.

For the first it also counts the repeat pairings left, against what formation without that rule
makes from the same input.

With `--service`, the same through the groups service on this machine's Postgres and RabbitMQ
(in-process, as bench/credits.py runs credits): 10,000 InterestExpressed events for peer
supervision published as a backlog and taken into the pool (interests/s), then a proposal asked
for (the pool read, past pairs, formation, the proposal stored) and published (groups, memberships
and one GroupFormed per member into the outbox), each timed; a fresh pool each round.

    uv run python bench/formation.py [--interests 10000] [--runs 7] [--service]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from common import (
    AMQP_URL,
    Bench,
    bench_environment,
    publish_backlog,
    remove_topology,
    summarise,
    wait_for_rows,
)

from hearth_groups.actions import proposals
from hearth_groups.app import create_runtime
from hearth_groups.domain.formation import Formation, Interest, Pair, Remainder, form, repeat_pairs
from hearth_groups.domain.kinds import KINDS, Kind
from hearth_groups.domain.visibility import Actor, Role
from hearth_groups.events import SERVICE
from hearth_groups.settings import GroupsSettings
from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import InterestExpressed
from hearth_shared.messaging import Names, begin

TOPICS = [f"practice_area_{n:02}" for n in range(1, 21)]
REGIONS = ["NS", "NB", "PE", "NL", "QC"]
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def pool(size: int, kinds: list[Kind], seed: int) -> list[Interest]:
    rnd = random.Random(seed)
    return [
        Interest(
            T0 + timedelta(seconds=rnd.randrange(30 * 24 * 3600)),
            uuid.UUID(int=rnd.getrandbits(128)),
            kinds[n % len(kinds)],
            rnd.choice(TOPICS),
            "en" if rnd.random() < 0.7 else "fr",
            rnd.choice(REGIONS),
        )
        for n in range(size)
    ]


def earlier_formation(interests: list[Interest], share: float, seed: int) -> Formation:
    """An earlier formation of `share` of these people: its groups' pairs are the past pairs."""
    rnd = random.Random(seed)
    return form([i for i in interests if rnd.random() < share], KINDS)


def pairs_of(formation: Formation) -> frozenset[Pair]:
    return frozenset(
        frozenset((a, b)) for g in formation.groups for a in g.person_ids for b in g.person_ids if a < b
    )


def unavoidable(earlier: Formation, formed: Formation) -> int:
    """A lower bound on repeats: each earlier group's members spread evenly over the groups now
    formed for their topic, language and region (more of them than groups forces pairs)."""
    count = Counter((g.topic, g.language, g.region) for g in formed.groups)
    bound = 0
    for group in earlier.groups:
        groups_now = count[(group.topic, group.language, group.region)]
        quotient, extra = divmod(len(group.members), groups_now)
        bound += (
            extra * (quotient + 1) * quotient // 2 + (groups_now - extra) * quotient * (quotient - 1) // 2
        )
    return bound


def repeats(formation: Formation, pairs: frozenset[Pair]) -> int:
    partners: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for a, b in (sorted(p) for p in pairs):
        partners[a].add(b)
        partners[b].add(a)
    return sum(repeat_pairs(g.person_ids, partners) for g in formation.groups)


def timed(interests: list[Interest], pairs: frozenset[Pair], runs: int) -> tuple[list[float], Formation]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        formation = form(interests, KINDS, past_pairs=pairs)
        seconds.append(time.perf_counter() - started)
    return seconds, formation


def spread(formation: Formation) -> dict[str, object]:
    sizes = [len(g.members) for g in formation.groups]
    return {
        "groups": len(sizes),
        "placed": sum(sizes),
        "left_in_pool": len(formation.left_in_pool),
        "size_min": min(sizes),
        "size_median": statistics.median(sizes),
        "size_max": max(sizes),
        "sizes": dict(sorted(Counter(sizes).items())),
    }


async def through_the_service(bench: Bench, interests: list[Interest], round_no: int) -> dict[str, float]:
    settings = GroupsSettings(
        amqp_url=AMQP_URL,
        database_url=bench.database.dsn("groups"),
        name_prefix=f"{bench.prefix}r{round_no}.",
        practice_areas=tuple(TOPICS),
    )
    names = Names(settings.name_prefix, SERVICE)
    runtime = create_runtime(settings)
    await runtime.start()
    while not await runtime.ready():
        await asyncio.sleep(0.05)
    backlog = [
        new_event(
            InterestExpressed(
                person_id=i.person_id,
                interest="peer_supervision",
                practice_area=i.topic,
                language=i.language,
            ),
            source="/bench",
        )
        for i in interests
    ]
    await runtime.stop()  # its queues are declared: the backlog waits there, as after a busy week
    await publish_backlog(bench.amqp, names.events_exchange, InterestExpressed.routing_key(), backlog)
    runtime = create_runtime(settings)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await runtime.start()
    await wait_for_rows(settings.database_url, SERVICE, "interests", len(interests) * round_no)
    taken = loop.time() - started
    assert runtime.pool is not None
    staff = Actor(Role.STAFF)
    started = loop.time()
    async with begin(runtime.pool, SERVICE) as work:
        proposal = await proposals.request(work, Kind.PEER_SUPERVISION, None, Remainder.POOL, staff)
    requested = loop.time() - started
    started = loop.time()
    async with begin(runtime.pool, SERVICE) as work:
        formed = await proposals.publish(work, proposal.id, settings.default_time_zone, staff)
    published = loop.time() - started
    await runtime.stop()
    await remove_topology(bench.amqp, names, [h.name for h in runtime.handlers], [])
    print(
        f"round {round_no}: pool filled at {len(interests) / taken:,.0f} interests/s; proposal "
        f"{requested * 1000:,.0f} ms ({len(proposal.formation.groups)} groups); "
        f"published {published * 1000:,.0f} ms ({len(formed)} groups)"
    )
    return {"interests_per_s": len(interests) / taken, "proposal_s": requested, "publish_s": published}


async def service_rounds(count: int, runs: int) -> None:
    rounds: dict[str, list[float]] = {"interests_per_s": [], "proposal_s": [], "publish_s": []}
    async with bench_environment() as bench:
        for round_no in range(1, runs + 1):
            interests = pool(count, [Kind.PEER_SUPERVISION], seed=100 + round_no)
            for name, value in (await through_the_service(bench, interests, round_no)).items():
                rounds[name].append(value)
    summary = summarise("formation-service", rounds, {"interests": count, "topics": len(TOPICS)})
    median = summary["median"]
    print(
        f"median of {runs}: {median['interests_per_s']:,.0f} interests/s into the pool, proposal "
        f"{median['proposal_s'] * 1000:,.0f} ms, publish {median['publish_s'] * 1000:,.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interests", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--service", action="store_true", help="through the service, on Postgres")
    args = parser.parse_args()
    if args.service:
        asyncio.run(service_rounds(args.interests, args.runs))
        return

    supervision = pool(args.interests, [Kind.PEER_SUPERVISION], seed=1)
    earlier = earlier_formation(supervision, 1 / 3, seed=2)
    pairs = pairs_of(earlier)
    every_kind = pool(args.interests, list(Kind), seed=3)
    rounds: dict[str, list[float]] = {}
    extra: dict[str, object] = {"interests": args.interests, "topics": len(TOPICS), "languages": 2}

    rounds["peer_supervision_s"], formed = timed(supervision, pairs, args.runs)
    naive = form(supervision, KINDS)
    extra["peer_supervision"] = spread(formed) | {
        "past_pairs": len(pairs),
        "repeat_pairs": repeats(formed, pairs),
        "repeat_pairs_unavoidable_at_least": unavoidable(earlier, formed),
        "repeat_pairs_without_the_rule": repeats(naive, pairs),
    }
    rounds["every_kind_s"], formed = timed(every_kind, frozenset(), args.runs)
    extra["every_kind"] = spread(formed) | {
        "by_kind": {kind.value: sum(1 for g in formed.groups if g.kind is kind) for kind in Kind}
    }

    summary = summarise("formation", rounds, extra)
    for name in ("peer_supervision", "every_kind"):
        figures = summary[name]
        seconds = summary["median"][f"{name}_s"]
        print(
            f"{name}: median {seconds * 1000:.0f} ms over {args.runs} runs "
            f"(min {min(rounds[f'{name}_s']) * 1000:.0f}, max {max(rounds[f'{name}_s']) * 1000:.0f}); "
            f"{figures['groups']} groups, {figures['placed']} placed, "
            f"{figures['left_in_pool']} left in the pool; sizes {figures['size_min']}–{figures['size_max']} "
            f"(median {figures['size_median']}): {figures['sizes']}"
        )
    ps = summary["peer_supervision"]
    print(
        f"peer_supervision repeat pairings: {ps['repeat_pairs']} of {ps['past_pairs']} past pairs "
        f"(at least {ps['repeat_pairs_unavoidable_at_least']} unavoidable; "
        f"{ps['repeat_pairs_without_the_rule']} without the rule)"
    )


if __name__ == "__main__":
    main()
