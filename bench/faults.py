"""Issue 15's fault scenario at a larger size: purchases over HTTP and AttendanceReported events
(one report per ticket), while SIGKILLs hit registration, credits and notifications in turn (each
restarted at once), the broker restarts and the database crash-restarts; then drain and count
(hearth_testing.fault_scenario, the scenario tests/test_faults.py runs small). It runs on a
RabbitMQ node and a PostgreSQL cluster of its own (hearth_testing.private_servers), so the
machine's shared ones are never restarted.

Prints what was lost (a purchase without its ticket or confirmation, a report without its award),
duplicated effects (a second ticket, confirmation or award), repeated emails (an email whose
delivery id the SMTP sink had already received) against notifications' crashes, and the seconds
from the end of the last fault until everything had drained.

    uv run python bench/faults.py [--purchases 5000] [--rate 15] [--kills-per-service 7]
                                  [--smtp-connections 1]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path

from common import summarise

from hearth_testing.fault_scenario import FaultPlan, run_scenario


async def main(plan: FaultPlan) -> None:
    logging.getLogger("aiormq").setLevel(logging.CRITICAL)  # the reporter's reconnects, expected
    logging.getLogger("aio_pika").setLevel(logging.CRITICAL)
    logs = Path(tempfile.mkdtemp(prefix="hearth-faults-bench-"))
    outcome = await run_scenario(plan, logs)
    lost = outcome.tickets_missing + outcome.confirmations_missing + outcome.awards_missing
    doubled = outcome.tickets_extra + outcome.confirmations_doubled + outcome.awards_doubled
    kills = sum(outcome.kills.values())
    last_fault = outcome.timeline[-1][0] if outcome.timeline else outcome.load_seconds
    load_after_faults = outcome.load_seconds - last_fault
    print(
        f"{outcome.accepted + outcome.reports:,} events ({outcome.accepted:,} purchases accepted, "
        f"{outcome.given_up} given up, {outcome.reports:,} attendance reports), {kills} kills "
        f"({dict(outcome.kills)}), {plan.broker_restarts} broker and {plan.database_restarts} "
        f"database restarts, load {outcome.load_seconds:.0f} s\n"
        f"lost: {lost} (tickets {outcome.tickets_missing}, confirmations {outcome.confirmations_missing}, "
        f"awards {outcome.awards_missing})\n"
        f"duplicated effects: {doubled} (tickets {outcome.tickets_extra}, confirmations "
        f"{outcome.confirmations_doubled}, awards {outcome.awards_doubled})\n"
        f"repeated emails: {outcome.duplicate_emails} of {outcome.emails:,} "
        f"for {outcome.kills['notifications']} notifications crashes and {plan.database_restarts} "
        f"database crashes on {plan.smtp_connections} SMTP connection(s) (bound: one per crash per "
        f"connection, {(outcome.kills['notifications'] + plan.database_restarts) * plan.smtp_connections})\n"
        f"drained: {outcome.drained}, {outcome.drain_seconds:.1f} s after the last fault (the load went on "
        f"{load_after_faults:.1f} s after it: {outcome.drain_seconds - load_after_faults:.1f} s after the "
        f"last purchase); left unsettled: "
        f"{outcome.unsettled or 'nothing'}, unpublished {outcome.unpublished}, "
        f"pending emails {outcome.pending_deliveries}\n"
        f"each part drained, seconds after the last fault: {outcome.drain_parts}\n"
        "pending during the drain (every 5 s):\n"
        + "".join(f"  {pending}\n" for pending in outcome.drain_progress)
        + f"logs in {logs}"
    )
    summarise(
        "faults",
        {"drain_seconds": [outcome.drain_seconds]},
        {
            "plan": vars(plan),
            "lost": lost,
            "duplicated_effects": doubled,
            "outcome": outcome.summary(),
            "timeline": outcome.timeline,
            "drain_progress": outcome.drain_progress,
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--purchases", type=int, default=5000, help="as many attendance reports follow")
    # Three emails a purchase (confirmation, credits, certificate); the sender's default limit is 50/s.
    parser.add_argument("--rate", type=float, default=15.0, help="purchases started per second")
    parser.add_argument("--kills-per-service", type=int, default=7)
    parser.add_argument("--broker-restarts", type=int, default=2)
    parser.add_argument("--database-restarts", type=int, default=1)
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    # One (the strictest repeat bound) or the service's default of two.
    parser.add_argument("--smtp-connections", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(
        main(
            FaultPlan(
                purchases=args.purchases,
                rate=args.rate,
                kills_per_service=args.kills_per_service,
                broker_restarts=args.broker_restarts,
                database_restarts=args.database_restarts,
                drain_timeout=args.drain_timeout,
                smtp_connections=args.smtp_connections,
            )
        )
    )
