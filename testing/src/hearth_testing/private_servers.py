"""A RabbitMQ node and a PostgreSQL cluster of the test's own, in a temporary folder, for tests
that restart or crash them (tests/test_faults.py, bench/faults.py): the machine's shared broker
and database serve other test sessions that must not feel it.

RabbitMQ runs as a second node of the installed server (its own node name, ports, Erlang cookie,
data and log folders, no plugins); PostgreSQL as a cluster made with `initdb` (trust
authentication on 127.0.0.1, its own port and socket folder). Run as root, PostgreSQL's tools run
as the `postgres` user, which they require.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from .processes import free_port

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")  # Debian's scripts, without the wrapper's `su rabbitmq`
# Debian keeps PostgreSQL's server tools beside its version (the newest wins), off PATH.
POSTGRES_BIN = max(
    Path("/usr/lib/postgresql").glob("*/bin"),
    default=Path("/usr/local/bin"),
    key=lambda p: (len(p.parent.name), p.parent.name),
)


async def _run(*command: str, env: dict[str, str] | None = None, timeout: float = 60.0) -> str:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise RuntimeError(f"{command[0]} did not finish in {timeout}s") from None
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {output.decode()[-2000:]}")
    return output.decode()


def _tool(folder: Path, name: str) -> str:
    path = folder / name
    return str(path) if path.exists() else (shutil.which(name) or name)


@dataclass
class PrivateRabbitMQ:
    """One RabbitMQ node in `root`; `restart()` stops it (as an operator would) and starts it
    again on the same data, so durable queues and their messages survive."""

    root: Path
    port: int
    node: str
    dist_port: int = 0
    _server: asyncio.subprocess.Process | None = None

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "HOME": str(self.root),  # the Erlang cookie the node and rabbitmqctl share
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.root / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(self.root / "pid"),
        }

    async def start(self, timeout: float = 90.0) -> None:
        (self.root / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (self.root / "enabled_plugins").write_text("[].\n")
        env = self._env()
        with (self.root / "server.log").open("ab") as log:
            self._server = await asyncio.create_subprocess_exec(
                _tool(RABBITMQ_BIN, "rabbitmq-server"), env=env, stdout=log, stderr=log
            )
        await self.ctl("wait", str(self.root / "pid"), "--timeout", str(int(timeout)), timeout=timeout + 5)

    async def stop(self) -> None:
        await self.ctl("stop", str(self.root / "pid"), timeout=60)
        if self._server is not None:
            await self._server.wait()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def ctl(self, *arguments: str, timeout: float = 30.0) -> str:
        return await _run(
            _tool(RABBITMQ_BIN, "rabbitmqctl"), "-n", self.node, *arguments, env=self._env(), timeout=timeout
        )

    async def queues(self) -> dict[str, tuple[int, int]]:
        """Every queue: (messages ready, messages unacknowledged)."""
        listed = await self.ctl(
            "list_queues", "-q", "--no-table-headers", "name", "messages_ready", "messages_unacknowledged"
        )
        found = {}
        for line in listed.splitlines():
            fields = line.split()
            if len(fields) == 3 and fields[1].isdigit():
                found[fields[0]] = (int(fields[1]), int(fields[2]))
        return found


@dataclass
class PrivatePostgres:
    """One PostgreSQL cluster in `root`; `crash_restart()` is an immediate stop (no checkpoint,
    recovery from the WAL at start, every connection cut) and a start."""

    root: Path
    port: int

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_owner(self, tool: str, *arguments: str) -> list[str]:
        command = [_tool(POSTGRES_BIN, tool), *arguments]
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    async def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        await _run(
            *self._as_owner("initdb", "-D", str(self.root / "data"), "-U", "postgres", "--auth=trust"),
            "-E",
            "UTF8",
            "--no-sync",
        )
        await self.start()

    async def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        data, log = str(self.root / "data"), str(self.root / "server.log")
        await _run(*self._as_owner("pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start"))

    async def stop(self, mode: str = "fast") -> None:
        await _run(*self._as_owner("pg_ctl", "-D", str(self.root / "data"), "-m", mode, "-w", "stop"))

    async def crash_restart(self) -> None:
        await self.stop("immediate")
        await self.start()


Step = Callable[[], Awaitable[None]]


@contextmanager
def _temporary_folder(prefix: str) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)  # PostgreSQL's tools run as another user
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@asynccontextmanager
async def _running(start: Step, stop: Step) -> AsyncIterator[None]:
    await start()
    try:
        yield
    finally:
        await stop()


@asynccontextmanager
async def private_rabbitmq() -> AsyncIterator[PrivateRabbitMQ]:
    with _temporary_folder("hearth-rabbitmq-") as root:
        broker = PrivateRabbitMQ(root, free_port(), f"hearth-{root.name[-8:]}@localhost", free_port())
        async with _running(broker.start, broker.stop):
            yield broker


@asynccontextmanager
async def private_postgres() -> AsyncIterator[PrivatePostgres]:
    with _temporary_folder("hearth-postgres-") as root:
        database = PrivatePostgres(root, free_port())
        async with _running(database.create, database.stop):
            yield database
