"""Erasure in what the kit keeps, called by every service's erasure handler with what the
service knows of the person: their address and person ids.

The kit keeps events in three places: the outbox (full bodies, published or not), the parking
queue (a parked body as it arrived) and, for events nobody is bound to, the unrouted queue. Inbox
rows hold only `(source, id, handler)`: nothing to erase. The outbox is rewritten in the handler's
transaction; the queues over the service's own broker user, before the handler returns — a broker
that does not answer fails the handler, which is retried like any transient failure, so the
erasure reaches the queues or is not acknowledged. Rewriting is idempotent, so a retry is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aio_pika
import structlog

from . import outbox, parking
from .redaction import Erased, erased
from .topology import Names
from .work import Work

log = structlog.get_logger(__name__)

BROKER_TIMEOUT = 10.0


async def erase_person(
    work: Work, email: str, person_ids: Iterable[Any] = (), *, unrouted: bool = False
) -> Erased:
    """Take the person out of this service's outbox and parking queue (and, with `unrouted`, out
    of the shared unrouted queue: one service, registration, does it for all). Returns whom it
    took out, with the person ids the outbox taught it."""
    who = await outbox.redact(work.conn, erased(email, person_ids))
    settings = work.settings
    if settings is None:  # an action run outside a consumer (a script, a unit test): no broker
        return who
    names = Names(settings.name_prefix, work.source.removeprefix("/hearth/"))
    connection = await aio_pika.connect(settings.amqp_url, timeout=BROKER_TIMEOUT)
    try:
        parked = await parking.redact(connection, names, who)
        kept = await parking.redact(connection, names, who, names.unrouted_queue) if unrouted else 0
    finally:
        await connection.close()
    log.info("kit erasure done", parked_rewritten=parked, unrouted_rewritten=kept)
    return who
