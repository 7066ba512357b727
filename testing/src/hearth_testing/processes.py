"""Hearth services as real OS processes (`python -m hearth_<service>`), and a TCP proxy that can
cut a service off from the broker, for tests of delivery, recovery and logs across services."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from hearth_shared import signed_links
from hearth_shared.service_token import KEY_VARIABLE

from .tokens import TEST_KEY, TEST_LINK_KEY, ActorHeadersAuth, ServiceTokenAuth
from .waiting import eventually


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


TEST_SENDER = "Hearth (test) <no-reply@hearth.test>"  # notifications will not start without one
LINK_SERVICES = {"notifications", "gateway"}  # the signer of the links in emails and their reader


def link_key_of(service: str) -> dict[str, str]:
    """The run's link key for a service that signs or reads links (an `env` given to
    ServiceProcess wins: `HEARTH_LINK_KEY=""` starts one without a key)."""
    return {signed_links.KEY_VARIABLE: TEST_LINK_KEY} if service in LINK_SERVICES else {}


class ServiceProcess:
    def __init__(self, service: str, env: dict[str, str], log_path: Path) -> None:
        self.service = service
        self.port = int(env["HEARTH_HTTP_PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        keys = {KEY_VARIABLE: TEST_KEY} | link_key_of(service)
        if service == "notifications":
            keys["HEARTH_MAIL_FROM"] = TEST_SENDER
        self._env = {**os.environ, **keys, **env, "HEARTH_LOG_FORMAT": "json"}
        self.log_path = log_path
        self._process: asyncio.subprocess.Process | None = None

    async def start(self, *, wait_for: str = "/ready", timeout: float = 30.0) -> None:
        """Start and wait until `wait_for` answers 200 (`/health` when the broker is cut off)."""
        log = self.log_path.open("ab")
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", f"hearth_{self.service}", env=self._env, stdout=log, stderr=log
        )
        log.close()
        process = self._process
        async with httpx.AsyncClient(base_url=self.url) as client:

            async def status() -> int | None:
                if process.returncode is not None:
                    raise RuntimeError(f"{self.service} exited: {self.log_path.read_text()[-3000:]}")
                try:
                    return (await client.get(wait_for)).status_code
                except httpx.HTTPError:
                    return None

            await eventually(
                status, lambda code: code == 200, timeout=timeout, what=f"{self.service} {wait_for}"
            )

    def client(
        self, role: str | None = "admin", *, staff_id: uuid.UUID | None = None, **kwargs: Any
    ) -> httpx.AsyncClient:
        """An httpx client calling this service as the gateway would, with a token naming
        `staff_id` (a new one by default) and `role` (None: the identity each request's
        X-Hearth-Role and X-Hearth-Person headers describe); other arguments go to httpx."""
        auth = ActorHeadersAuth(self._env[KEY_VARIABLE]) if role is None else self.auth(role, staff_id)
        return httpx.AsyncClient(base_url=self.url, auth=auth, **kwargs)

    def auth(self, role: str = "admin", staff_id: uuid.UUID | None = None) -> ServiceTokenAuth:
        """Service tokens this service accepts (`.headers()` for a client other than httpx)."""
        return ServiceTokenAuth(self._env[KEY_VARIABLE], role, staff_id)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, as Kubernetes would; SIGKILL if it has not exited in time."""
        if self._process is None or self._process.returncode is not None:
            return None if self._process is None else self._process.returncode
        self._process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self._process.wait(), timeout)
        except TimeoutError:
            return await self.kill()

    async def kill(self) -> int:
        """SIGKILL: no shutdown code runs, as in a crash."""
        assert self._process is not None
        if self._process.returncode is None:
            self._process.kill()
        return await self._process.wait()

    async def wait_for_log(self, timeout: float = 10.0, **fields: Any) -> dict[str, Any]:
        """The first log line whose fields include `fields`, waiting for it to be written."""

        async def first() -> dict[str, Any] | None:
            return next(
                (line for line in self.logs() if all(line.get(k) == v for k, v in fields.items())), None
            )

        line = await eventually(
            first, lambda line: line is not None, timeout=timeout, interval=0.05, what=f"log line {fields}"
        )
        assert line is not None
        return line

    def logs(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                lines.append(json.loads(line))
        return lines


class TcpProxy:
    """Forwards a local port to a target; `cut()` refuses and drops connections until `restore()`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}
