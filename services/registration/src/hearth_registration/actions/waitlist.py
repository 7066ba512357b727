"""The line for a full gathering: joining it, offering freed seats, leaving it, offers expiring.
Every function here that moves a seat runs with the gathering's row locked by the caller (or
locks it itself)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hearth_shared.contracts.catalogue import GatheringStatus, WaitlistJoined, WaitlistOffered
from hearth_shared.messaging import Work

from .. import domain, store
from ..events import person_details, snapshot
from ..store.gatherings import Gathering
from ..store.people import Person
from ..store.waitlist import WaitlistEntry


async def join(
    work: Work, gathering: Gathering, person: Person, asked: domain.TicketRequest, key: str | None
) -> tuple[WaitlistEntry, int]:
    """Put the person at the end of the line of a full gathering; return the entry and its place."""
    entry, position = await store.waitlist.join_waitlist(
        work.conn,
        gathering_id=gathering.id,
        person_id=person.id,
        ticket_type=asked.ticket_type.value,
        practice_area=asked.practice_area,
        idempotency_key=key,
    )
    await work.publish(
        WaitlistJoined(
            entry_id=entry.id,
            position=position,
            gathering=snapshot(gathering),
            attendee=person_details(person),
        )
    )
    return entry, position


async def hand_on_seat(work: Work, gathering: Gathering, hold_seconds: float) -> None:
    """Offer a freed seat (still counted as taken) to the next in line, or release it (and close
    the line of a gathering cancelled or begun). The caller holds the gathering's lock."""
    if domain.line_closed(GatheringStatus(gathering.status), gathering.starts_at, datetime.now(UTC)):
        await store.gatherings.release_seat(work.conn, gathering.id)
        await close_line(work, gathering)
        return
    entry = await store.waitlist.next_waiting(work.conn, gathering.id)
    if entry is None:
        await store.gatherings.release_seat(work.conn, gathering.id)
        return
    offered = await store.waitlist.offer(work.conn, entry.id, hold_seconds)
    person = await store.people.get_person(work.conn, entry.person_id)
    await work.publish(
        WaitlistOffered(
            entry_id=offered.id,
            expires_at=offered.offer_expires_at,
            gathering=snapshot(gathering),
            attendee=person_details(person),
        )
    )


async def close_line(work: Work, gathering: Gathering) -> None:
    """Close the open entries of a gathering cancelled or begun; seats held for offers are freed.
    The caller holds the gathering's lock."""
    if offered := await store.waitlist.close_line(work.conn, gathering.id):
        await store.gatherings.release_seat(work.conn, gathering.id, offered)


async def offer_free_seats(work: Work, gathering: Gathering, hold_seconds: float) -> None:
    """Offer seats that became free (capacity raised, sales reopened) to those waiting.
    The caller holds the gathering's lock."""
    while await store.waitlist.next_waiting(work.conn, gathering.id) is not None:
        if await store.gatherings.take_seat(work.conn, gathering.id) is None:
            return
        await hand_on_seat(work, gathering, hold_seconds)


async def withdraw(
    work: Work, entry_id: uuid.UUID, *, hold_seconds: float, only_offered: bool = False
) -> WaitlistEntry:
    """Leave the line; an offered seat passes to the next person. `only_offered`: declining an
    offer, refused unless the entry holds one."""
    entry = await store.waitlist.lock_waitlist_entry(work.conn, entry_id)
    if entry is None:
        raise domain.NotFound(f"no waitlist entry {entry_id}")
    status = domain.WaitlistStatus(entry.status)
    domain.check_can_withdraw(status, only_offered=only_offered)
    gathering = await _locked_gathering(work, entry.gathering_id)
    settled = await store.waitlist.settle_waitlist_entry(
        work.conn, entry_id, domain.WaitlistStatus.WITHDRAWN.value
    )
    if domain.holds_a_seat(status):
        await hand_on_seat(work, gathering, hold_seconds)
    return settled


async def expire(work: Work, entry: WaitlistEntry, *, hold_seconds: float) -> None:
    """An offer whose hold ran out (claimed, so locked, by the caller): its seat passes on."""
    await store.waitlist.settle_waitlist_entry(work.conn, entry.id, domain.WaitlistStatus.EXPIRED.value)
    gathering = await _locked_gathering(work, entry.gathering_id)
    await hand_on_seat(work, gathering, hold_seconds)


async def _locked_gathering(work: Work, gathering_id: uuid.UUID) -> Gathering:
    gathering = await store.gatherings.lock_gathering(work.conn, gathering_id)
    assert gathering is not None  # a waitlist entry's gathering exists (foreign key)
    return gathering
