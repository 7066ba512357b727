"""Prometheus metrics of the messaging kit, one registry per service (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class KitMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.handled = Counter(
            "hearth_messages_handled", "Deliveries committed by a handler", ["handler"], registry=registry
        )
        self.duplicates = Counter(
            "hearth_messages_duplicate",
            "Deliveries whose id the inbox had seen",
            ["handler"],
            registry=registry,
        )
        self.retried = Counter(
            "hearth_messages_retried", "Deliveries sent to a delay queue", ["handler"], registry=registry
        )
        self.parked = Counter(
            "hearth_messages_parked", "Deliveries parked", ["handler", "reason"], registry=registry
        )
        self.batch_seconds = Histogram(
            "hearth_batch_seconds", "Time to apply and commit one batch", ["handler"], registry=registry
        )
        self.published = Counter(
            "hearth_outbox_published", "Outbox rows published and confirmed", registry=registry
        )
        self.relay_lag = Gauge(
            "hearth_outbox_lag_seconds",
            "Age of the oldest outbox row the relay holds unpublished (0 when caught up)",
            registry=registry,
        )
