"""A real SMTP server in the test process (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from .processes import free_port
from .waiting import eventually


class _Keeper:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.lower() in self._sink.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._sink.lock:
            self._sink.messages.append(message)
            self._sink.accepted_at.append(time.time())  # just before the 250 (tracing tests)
        return "250 Message accepted"


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.accepted_at: list[float] = []  # the epoch second each message was accepted, in order
        self.refuse: set[str] = set()
        self.lock = threading.Lock()
        self._controller = Controller(_Keeper(self), hostname="127.0.0.1", port=free_port())

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"].lower() == address.lower()]

    async def wait_for(self, address: str, count: int = 1, timeout: float = 20.0) -> list[EmailMessage]:
        """Wait until `address` has received at least `count` messages; return them."""

        async def received() -> list[EmailMessage]:
            return self.to(address)

        return await eventually(
            received,
            lambda found: len(found) >= count,
            timeout=timeout,
            interval=0.05,
            what=f"mail to {address}",
        )
