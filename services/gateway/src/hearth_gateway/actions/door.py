"""The HTTP door for other systems: one request, checked step by step, published with confirms.

The order says what a sender learns: the media type (415) before anything else; then the
signature (401 — an unknown system looks the same as a bad signature); then, only for a signed
request, whether it reads (400), whether the system is enabled and may send these types (403),
and whether each event keeps its contract (422); last the broker (202 once confirmed, or
503 / 429 with `Retry-After`). Every refusal is logged — reason, status, the system if it signed,
the failing fields' pointers; never a body or a value — and counted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg
import structlog
from prometheus_client import CollectorRegistry, Counter

from ..domain.cloudevents import (
    BATCH,
    Refusal,
    check_events,
    documents_of,
    forbidden_types,
    media_type,
    mode_of,
)
from ..domain.systems import Signer, signature_problem
from ..store import systems
from ..store.door_publisher import DoorPublisher

log = structlog.get_logger(__name__)


class DoorMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.accepted = Counter(
            "hearth_door_events_accepted",
            "Events the door published and the broker confirmed",
            ["system"],
            registry=registry,
        )
        self.refused = Counter(
            "hearth_door_refused", "Requests the door refused", ["reason", "status"], registry=registry
        )


@dataclass(frozen=True)
class Door:
    publisher: DoorPublisher
    metrics: DoorMetrics

    async def accept(
        self,
        pool: asyncpg.Pool,
        system: str,
        content_type: str | None,
        headers: Mapping[str, str],
        body: bytes,
    ) -> int:
        """Publish the request's events; return how many. Raises `Refusal` (counted and logged)."""
        signer: Signer | None = None
        try:
            signer = await _signed_by(pool, system, content_type, headers, body)
            count = await self._publish(signer, content_type, headers, body)
        except Refusal as refusal:
            self.refused(refusal, signer)
            raise
        self.metrics.accepted.labels(signer.name).inc(count)
        return count

    def refused(self, refusal: Refusal, signer: Signer | None = None) -> None:
        """Count and log a refusal: reason, status, the system if it signed, the failing fields."""
        self.metrics.refused.labels(refusal.reason, str(refusal.status)).inc()
        log.warning(
            "door refused a request",
            status=refusal.status,
            reason=refusal.reason,
            system=signer.name if signer else None,
            fields=[where for where, _ in refusal.errors][:20],
        )

    async def handshake_allowed(self, pool: asyncpg.Pool, system: str) -> bool:
        """Whether the validation handshake may grant delivery: a registered, enabled system."""
        async with pool.acquire() as conn:
            signer = await systems.signer(conn, system)
        if signer is None or not signer.enabled:
            self.refused(Refusal(403, "handshake_refused", "no such enabled system"))
            return False
        return True

    async def _publish(
        self, signer: Signer, content_type: str | None, headers: Mapping[str, str], body: bytes
    ) -> int:
        if not signer.enabled:
            raise Refusal(403, "system_disabled", "this system is disabled; ask Hearth's admins")
        batch = media_type(content_type) == BATCH
        documents = documents_of(content_type, headers, body)
        forbidden = forbidden_types(documents, signer.event_types, batch)
        if forbidden:
            raise Refusal(403, "type_not_allowed", "this system may not send these event types", forbidden)
        accepted = check_events(documents, batch)
        await self.publisher.publish(accepted, signer.name)
        return len(accepted)


async def _signed_by(
    pool: asyncpg.Pool, system: str, content_type: str | None, headers: Mapping[str, str], body: bytes
) -> Signer:
    mode_of(content_type, headers)  # 415 before anything is read
    try:
        async with pool.acquire() as conn:
            signer = await systems.signer(conn, system)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:  # the database is away
        raise Refusal(
            503, "database_unavailable", "Hearth cannot check signatures now", retry_after=5
        ) from exc
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(400, "invalid_json", "the body is not UTF-8") from exc
    problem = signature_problem(signer.secrets if signer else (), body, headers)
    if signer is None or problem is not None:
        raise Refusal(401, "bad_signature", problem or "no signature matches a secret of this system")
    return signer
