"""Fires planned sends when their instant comes, and the daily digests of group activity.

Each due plan is claimed with FOR UPDATE SKIP LOCKED and marked fired in the transaction that
writes its deliveries, so with several replicas each plan fires exactly once. The clock is
injectable: tests walk it across a change of clocks.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import structlog

from hearth_shared.contracts.catalogue import Bilingual
from hearth_shared.db import Connection
from hearth_shared.worker import ClaimLoop

from . import domain
from .dispatch import dispatch, outgoing
from .handlers.gatherings import feedback_request
from .messages import Email, Occasion, Recipient, compose, duration, occasion_context
from .settings import MailSettings
from .store import deliveries, occasions, people, plans

log = structlog.get_logger(__name__)

BATCH = 50


class Scheduler(ClaimLoop):
    flush_timeout = 0.0

    def __init__(
        self, pool: asyncpg.Pool, settings: MailSettings, clock: domain.Clock, *, schema: str
    ) -> None:
        super().__init__(
            pool,
            channel=f"{schema}_plans",
            batch_size=BATCH,
            poll_seconds=settings.schedule_poll_seconds,
            what="scheduler",
        )
        self._settings = settings
        self._clock = clock

    async def step(self) -> int:
        now = self._clock()
        return await self.fire_due(now) + await self.send_digests(now)

    async def fire_due(self, now: datetime) -> int:
        """Fire the plans due at `now`; return how many fired."""
        async with self._pool.acquire() as conn, conn.transaction():
            due = await plans.claim_due(conn, now, BATCH)
            for plan in due:
                emails = await self._emails(conn, plan)
                source = ":".join(
                    [
                        "plan",
                        str(plan["subject_id"]),
                        plan["template"],
                        str(plan["offset_seconds"]),
                        plan["fire_at"].isoformat(),
                    ]
                )
                with structlog.contextvars.bound_contextvars(correlation_id=source):
                    await dispatch(conn, outgoing(emails, source, source))
                    await plans.mark_fired(conn, plan, now)
                    log.info("plan fired", template=plan["template"], emails=len(emails))
        return len(due)

    async def _emails(self, conn: Connection, plan: asyncpg.Record) -> list[Email]:
        subject_id, template = plan["subject_id"], plan["template"]
        lead = timedelta(seconds=-plan["offset_seconds"])
        if template == "group_meeting_reminder":
            found = await occasions.meeting(conn, subject_id)
            if found is None:
                return []
            group_id, meeting = found
            recipients = await people.find(conn, await occasions.group_members(conn, group_id))
            occasion = _occasion(subject_id, meeting, "group_name", meeting.get("join_url"))
            return [
                compose(
                    template,
                    to,
                    group_name=occasion.title,
                    lead=duration(lead, to.language),
                    **occasion_context(occasion, to.language),
                )
                for to in recipients.values()
            ]
        details = await occasions.gathering(conn, subject_id)
        if details is None:
            return []
        if template == "feedback_request":
            recipients = await people.find(conn, await occasions.attendees(conn, subject_id))
            return [feedback_request(self._settings, subject_id, details, to) for to in recipients.values()]
        holders = await occasions.ticket_holders(conn, subject_id)
        recipients = await people.find(conn, [person for person, _ in holders])
        emails = []
        for person, snapshot in holders:
            if (to := recipients.get(person)) is not None:
                occasion = _occasion(subject_id, details, "title", snapshot.join_url)
                emails.append(
                    compose(
                        template,
                        to,
                        lead=duration(lead, to.language),
                        **occasion_context(occasion, to.language),
                    )
                )
        return emails

    async def send_digests(self, now: datetime) -> int:
        """After the digest hour, one email per person gathers what was held for them; what is held
        after today's digest waits for tomorrow's."""
        local = now.astimezone(ZoneInfo(self._settings.digest_time_zone))
        if local.time() < self._settings.digest_at:
            return 0
        sent = 0
        async with self._pool.acquire() as conn, conn.transaction():
            by_person: dict[uuid.UUID, list[asyncpg.Record]] = defaultdict(list)
            for row in await deliveries.held(conn, 1000):
                by_person[row["person_id"]].append(row)
            for person_id, rows in by_person.items():
                if not await deliveries.claim_digest_day(conn, person_id, local.date()):
                    continue
                first = rows[0]
                to = (await people.find(conn, [person_id])).get(person_id) or Recipient(
                    person_id, "", first["to_address"], first["language"]
                )
                digest = compose("group_digest", to, items=[{"subject": r["subject"]} for r in rows])
                source = f"digest:{person_id}:{local.date().isoformat()}"
                await dispatch(conn, outgoing([digest], source, source))
                await deliveries.mark_digested(conn, [r["id"] for r in rows])
                sent += 1
        return sent


def _occasion(subject_id: uuid.UUID, details: dict[str, Any], title: str, join_url: str | None) -> Occasion:
    """A stored gathering (venue and address) or group meeting (venue) as an email shows it."""
    venue = ", ".join(p for p in (details.get("venue"), details.get("address")) if p) or None
    return Occasion(
        id=subject_id,
        title=Bilingual.model_validate(details[title]),
        starts_at=datetime.fromisoformat(details["starts_at"]),
        ends_at=datetime.fromisoformat(details["ends_at"]),
        time_zone=details["time_zone"],
        venue=venue,
        join_url=join_url,
    )
