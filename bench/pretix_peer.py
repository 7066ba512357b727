"""The peer for `bench/purchase.py --peer pretix`: pretix from PyPI, run as its docs run it.

pretix (the open-source ticketing system) is installed into a virtual environment of its own
(`.bench/pretix-venv`, made with `uv venv` + `uv pip install`; kept, so a second run installs
nothing), with a database of its own on this machine's PostgreSQL (`hearth_bench_pretix`, migrated
once and kept: a marker file names the version migrated) and Redis at 127.0.0.1:6379 for its cache
and sessions when one answers (its order locks are PostgreSQL advisory locks). Each run makes a
fresh organizer, event, free admission item with a quota of `capacity` and a team API token (through
pretix's own models in its Django environment), starts gunicorn with two workers as pretix's install
guide does, and places orders through the REST API (`POST
/api/v1/organizers/{o}/events/{e}/orders/`, one position each, a distinct email, an
`X-Idempotency-Key`), at the same concurrency as Hearth's purchases.

No Celery broker is configured, so pretix runs its background tasks in the request (its default
without one); `send_email` is false, the default for the API, so no mail is sent. Its log level is
WARNING, as Hearth's is in purchase.py. A refused order (400, quota exhausted) is its sold-out answer,
where Hearth puts the buyer on the waiting list (202).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from common import (
    ADMIN_DSN,
    CLOCK_TICKS,
    client_session,
    cpu_seconds,
    keep_in_flight,
    load_figures,
    postgres_pids,
)

from hearth_testing.processes import free_port

PRETIX_VERSION = "2026.8.0"
ROOT = Path(__file__).resolve().parent.parent / ".bench"
VENV = ROOT / "pretix-venv"
DATA = ROOT / "pretix-data"
DATABASE = "hearth_bench_pretix"
PYTHON = os.environ.get("HEARTH_PRETIX_PYTHON", "python3.11")
WARM_UP = 2  # orders before the clock, one per gunicorn worker (more or less)

# Run inside pretix's environment (its own interpreter): the event to sell and a token to sell it.
SETUP = """
import json, sys
from datetime import timedelta
from decimal import Decimal
import django
django.setup()
from django.utils.timezone import now
from django_scopes import scopes_disabled
from pretix.base.models import Event, Organizer, Team

slug, capacity = sys.argv[1], int(sys.argv[2])
with scopes_disabled():
    organizer = Organizer.objects.create(name="Bench " + slug, slug=slug)
    event = Event.objects.create(
        organizer=organizer, name="Benchmark gathering", slug="gathering", currency="CAD",
        date_from=now() + timedelta(days=150), live=True,
    )
    event.set_defaults()
    event.settings.locales = ["en", "fr"]
    item = event.items.create(name="Ticket", default_price=Decimal("0.00"), admission=True, active=True)
    quota = event.quotas.create(name="Seats", size=capacity)
    quota.items.add(item)
    team = Team.objects.create(
        organizer=organizer, name="Bench", all_events=True,
        all_event_permissions=True, all_organizer_permissions=True,
    )
    token = team.tokens.create(name="bench")
print(json.dumps({"organizer": slug, "event": "gathering", "item": item.pk, "token": token.token}))
"""

COUNT = """
import sys
import django
django.setup()
from django_scopes import scopes_disabled
from pretix.base.models import OrderPosition
with scopes_disabled():
    print(OrderPosition.objects.filter(order__event__organizer__slug=sys.argv[1], canceled=False).count())
"""


@dataclass
class Shop:
    organizer: str
    event: str
    item: int
    token: str


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _config() -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    redis = "[redis]\nlocation=redis://127.0.0.1:6379/13\nsessions=true\n" if _redis_answers() else ""
    path = ROOT / "pretix.cfg"
    path.write_text(
        "[pretix]\ninstance_name=Hearth bench peer\nurl=http://127.0.0.1\ncurrency=CAD\nloglevel=WARNING\n"
        f"datadir={DATA}\necb_rates=false\n\n"
        "[django]\ndebug=false\nsecret=hearth-bench-not-a-secret\n\n"
        f"[database]\nbackend=postgresql\nname={DATABASE}\nuser=postgres\nhost=127.0.0.1\nport=5432\n\n"
        f"[mail]\nhost=127.0.0.1\nport=1\n\n{redis}"
    )
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "PRETIX_CONFIG_FILE": str(_config()), "DJANGO_SETTINGS_MODULE": "pretix.settings"}


def _python(*args: str, check: bool = True) -> str:
    done = subprocess.run(
        [str(VENV / "bin" / "python"), *args], env=_env(), capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"pretix {' '.join(args[:2])} failed:\n{done.stderr[-4000:]}")
    return done.stdout


def install() -> None:
    """Install pretix and gunicorn once; a venv that already has this version is kept."""
    marker = VENV / f".installed-{PRETIX_VERSION}"
    if marker.exists():
        return
    uv = shutil.which("uv") or "uv"
    print(f"installing pretix {PRETIX_VERSION} into {VENV} (once)")
    subprocess.run([uv, "venv", "--quiet", "--allow-existing", "--python", PYTHON, str(VENV)], check=True)
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(VENV / "bin" / "python"),
         f"pretix=={PRETIX_VERSION}", "gunicorn"],
        check=True,
    )  # fmt: skip
    marker.touch()


async def migrate() -> None:
    """Its own database, created and migrated once per pretix version."""
    marker = DATA / f".migrated-{PRETIX_VERSION}"
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
            await conn.execute(f'CREATE DATABASE "{DATABASE}"')
            marker.unlink(missing_ok=True)  # a new database, whatever the marker says
    finally:
        await conn.close()
    if not marker.exists():
        print("migrating pretix's database (once)")
        await asyncio.to_thread(_python, "-m", "pretix", "migrate", "--noinput")
        marker.touch()


def make_shop(capacity: int) -> Shop:
    slug = f"bench{secrets.token_hex(4)}"
    made = json.loads(_python("-c", SETUP, slug, str(capacity)).strip().splitlines()[-1])
    return Shop(made["organizer"], made["event"], int(made["item"]), made["token"])


def sold(shop: Shop) -> int:
    return int(_python("-c", COUNT, shop.organizer).strip().splitlines()[-1])


@dataclass
class Server:
    url: str
    process: asyncio.subprocess.Process

    def cpu_seconds(self) -> float:
        """gunicorn's master, its live workers, and the workers it has reaped: `--max-requests`
        recycles each worker after about 1,200 requests, so some die during a run."""
        pid = self.process.pid
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            workers = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return 0.0
        reaped = sum(int(f) for f in fields[11:15]) / CLOCK_TICKS  # utime stime cutime cstime
        return reaped + cpu_seconds(workers)


@asynccontextmanager
async def pretix_server(workers: int = 2) -> AsyncIterator[Server]:
    """gunicorn as pretix's manual install guide runs it (two workers), until the block ends."""
    await asyncio.to_thread(install)
    await migrate()
    port = free_port()
    log = (DATA / "gunicorn.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        str(VENV / "bin" / "gunicorn"), "pretix.wsgi", "--name", "pretix", "--workers", str(workers),
        "--max-requests", "1200", "--max-requests-jitter", "50", "--log-level=warning",
        "--bind", f"127.0.0.1:{port}",
        env=_env(), stdout=log, stderr=log,
    )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        async with httpx.AsyncClient(base_url=server.url) as client, asyncio.timeout(120):
            while True:
                try:
                    if (await client.get("/healthcheck/")).status_code < 500:
                        break
                except httpx.TransportError:
                    pass
                if process.returncode is not None:
                    raise RuntimeError(f"gunicorn exited; see {DATA / 'gunicorn.log'}")
                await asyncio.sleep(0.5)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            await process.wait()
        log.close()


async def place_orders(
    server: Server,
    concurrency: int,
    attempts: int,
    capacity: int,
) -> dict[str, float]:
    """Orders through pretix's REST API with `concurrency` in flight; the same figures as Hearth's."""
    shop = await asyncio.to_thread(make_shop, capacity + WARM_UP)  # the warm-up's seats on top
    path = f"/api/v1/organizers/{shop.organizer}/events/{shop.event}/orders/"
    headers = {"Authorization": f"Token {shop.token}"}
    async with client_session(server.url, concurrency, headers=headers) as client:
        reported: set[int] = set()

        async def order(index: int) -> int:
            body = {
                "email": f"buyer.{uuid.uuid4().hex[:12]}@example.org",
                "locale": "en",
                "sales_channel": "web",
                "positions": [{"item": shop.item, "attendee_name": f"Buyer {index}"}],
            }
            async with client.post(path, json=body, headers={"X-Idempotency-Key": f"{index}"}) as response:
                text = await response.text()
                if response.status not in (201, 400, *reported):
                    reported.add(response.status)
                    print(f"pretix answered {response.status}: {text[:300]}")
                return response.status

        # Warm-up orders outside the clock: each gunicorn worker imports lazily on its first request.
        warm = await keep_in_flight(concurrency, WARM_UP, lambda i: order(-1 - i))
        sold_before = warm.statuses.count(201)
        service_cpu, pg_cpu = server.cpu_seconds(), cpu_seconds(postgres_pids())
        answers = await keep_in_flight(concurrency, attempts, order)
        service_cpu = server.cpu_seconds() - service_cpu
        pg_cpu = cpu_seconds(postgres_pids()) - pg_cpu
    statuses, elapsed, latencies = answers.statuses, answers.elapsed, answers.latencies
    positions = await asyncio.to_thread(sold, shop)
    orders = statuses.count(201)
    result = {
        **load_figures(concurrency, attempts, elapsed, latencies, service_cpu, pg_cpu),
        "tickets": orders,
        "refused_sold_out": statuses.count(400),
        "errors": len(statuses) - orders - statuses.count(400),
        "oversell": max(0, positions - capacity - WARM_UP),
    }
    print(
        f"pretix, concurrency {concurrency}: {result['purchases_per_s']:,.1f} orders/s, "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, CPU per order: "
        f"gunicorn {result['service_cpu_ms_per_purchase']:.1f} ms "
        f"+ Postgres {result['postgres_cpu_ms_per_purchase']:.1f} ms, {orders} orders "
        f"(+{sold_before} warm-up), {result['refused_sold_out']} refused (sold out), "
        f"{result['errors']} errors, oversell {result['oversell']}"
    )
    return result
