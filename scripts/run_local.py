"""Run all of Hearth on this machine: every service and the gateway as processes against the local
RabbitMQ and PostgreSQL, a mail sink writing to .hearth/mail, and demo data. Ctrl-C stops it all.

Started by `./dev run`. Settings come from HEARTH_* variables as in production; this script only
fills in the per-service database role and port, the service-token key (a new one each run
unless HEARTH_SERVICE_TOKEN_KEY is set) and the key of the links in emails, which notifications
signs and the gateway's public site reads (a new one each run, kept in .hearth/link.key, unless
HEARTH_LINK_KEY is set). A second copy can run beside the first (tests/test_dev_run.py
does) with its own `HEARTH_LOCAL_PORT` (the gateway; the services take the next four),
`HEARTH_SMTP_PORT`, `HEARTH_DATABASE`, `HEARTH_ROLE_PREFIX` and `HEARTH_NAME_PREFIX`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from demo_data import load_demo_data
from hearth_shared import signed_links
from hearth_shared.provision import SERVICES, provision, role_name
from hearth_shared.service_token import KEY_VARIABLE
from hearth_testing.tokens import ServiceTokenAuth

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".hearth"
ADMIN_DSN = os.environ.get("HEARTH_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("HEARTH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
DATABASE = os.environ.get("HEARTH_DATABASE", "hearth")
ROLE_PREFIX = os.environ.get("HEARTH_ROLE_PREFIX", "hearth_")
BASE_PORT = int(os.environ.get("HEARTH_LOCAL_PORT", "8000"))
PORTS = {
    service: BASE_PORT + offset
    for offset, service in enumerate(("gateway", "registration", "credits", "groups", "notifications"))
}
SMTP_PORT = int(os.environ.get("HEARTH_SMTP_PORT", "1025"))
# The gateway signs a token for every call it makes to a service. Locally, a key made for this run
# (never one kept in the repository); set HEARTH_SERVICE_TOKEN_KEY to keep one across runs.
SERVICE_TOKEN_KEY = os.environ.get(KEY_VARIABLE) or secrets.token_urlsafe(48)
# Notifications signs the links in emails with it and the public site reads them: the same on both.
LINK_KEY = os.environ.get(signed_links.KEY_VARIABLE) or secrets.token_urlsafe(40)
LINK_SERVICES = ("notifications", "gateway")
DEMO_ADMIN = os.environ.get("HEARTH_DEMO_ADMIN_EMAIL", "admin@hearth.localhost")
GATEWAY = f"http://127.0.0.1:{PORTS['gateway']}"


def url(service: str) -> str:
    return f"http://127.0.0.1:{PORTS[service]}"


def keep_keys() -> None:
    """Keep this run's keys in .hearth/ (never committed, readable by this user only), so that a
    developer can sign a token to call a service by hand (scripts/service_token.py) or a link; a
    link key given in HEARTH_LINK_KEY is the caller's to keep."""
    keep(STATE / "service-token.key", SERVICE_TOKEN_KEY)
    if not os.environ.get(signed_links.KEY_VARIABLE):
        keep(STATE / "link.key", LINK_KEY)


def keep(path: Path, key: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(key + "\n")


def service_env(service: str) -> dict[str, str]:
    host = urlsplit(ADMIN_DSN).netloc.rpartition("@")[2]
    return {
        **os.environ,
        "HEARTH_DATABASE_URL": f"postgresql://{role_name(service, ROLE_PREFIX)}@{host}/{DATABASE}",
        "HEARTH_AMQP_URL": AMQP_URL,
        "HEARTH_HTTP_PORT": str(PORTS[service]),
        "HEARTH_SMTP_PORT": str(SMTP_PORT),
        "HEARTH_MAIL_FROM": os.environ.get("HEARTH_MAIL_FROM", "Hearth (local) <no-reply@hearth.invalid>"),
        "HEARTH_LOG_FORMAT": os.environ.get("HEARTH_LOG_FORMAT", "console"),
        # The gateway's way to the services, and notifications' links to the public site.
        **{f"HEARTH_{s.upper()}_URL": url(s) for s in SERVICES if s != "gateway"},
        "HEARTH_PUBLIC_URL": os.environ.get("HEARTH_PUBLIC_URL", GATEWAY),
        KEY_VARIABLE: SERVICE_TOKEN_KEY,
        **({signed_links.KEY_VARIABLE: LINK_KEY} if service in LINK_SERVICES else {}),
        # The demo's attended gathering is last September's, its feedback entered months after it
        # (registration closes feedback 30 days after a gathering by default).
        "HEARTH_FEEDBACK_OPEN_DAYS": os.environ.get("HEARTH_FEEDBACK_OPEN_DAYS", "400"),
        # Local pages are served over plain http, where a Secure cookie would never come back.
        "HEARTH_COOKIE_SECURE": os.environ.get("HEARTH_COOKIE_SECURE", "false"),
    }


async def demo_admin() -> str:
    """A local admin with a password made for this run (printed once; for this machine only)."""
    password = secrets.token_urlsafe(12)
    env = service_env("gateway") | {"HEARTH_ADMIN_PASSWORD": password}
    for command in ("create-admin", "reset-password"):  # reset when an earlier run made it
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hearth_gateway", command, "--email", DEMO_ADMIN,
            env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        if await process.wait() == 0:
            return password
    raise RuntimeError("could not make the local admin: see python -m hearth_gateway create-admin")


async def relay_output(name: str, stream: asyncio.StreamReader) -> None:
    while line := await stream.readline():
        sys.stdout.write(f"{name:>13} | {line.decode(errors='replace')}")
        sys.stdout.flush()


async def spawn(name: str, args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    assert process.stdout is not None
    asyncio.create_task(relay_output(name, process.stdout))  # noqa: RUF006 - lives as long as the process
    return process


async def wait_ready(client: httpx.AsyncClient, service: str, process: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(90):
        while process.returncode is None:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{url(service)}/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{service} stopped before it was ready (its log is above)")


async def start_all() -> dict[str, asyncio.subprocess.Process]:
    mail = STATE / "mail"
    for part in ("tmp", "new", "cur"):  # a Maildir: the sink writes here, any mail reader opens it
        (mail / part).mkdir(parents=True, exist_ok=True)
    sink = ["-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{SMTP_PORT}", "-c", "aiosmtpd.handlers.Mailbox"]
    processes = {"mail": await spawn("mail", [sys.executable, *sink, str(mail)], dict(os.environ))}
    for service in SERVICES:
        processes[service] = await spawn(
            service, [sys.executable, "-m", f"hearth_{service}"], service_env(service)
        )
    return processes


def banner(password: str) -> str:
    return (
        "\nHearth is running:\n"
        + "".join(f"  {s:<14} {url(s)}/{'docs' if s == 'gateway' else 'openapi.json'}\n" for s in PORTS)
        + f"  emails         {STATE / 'mail' / 'new'} (a Maildir; SMTP on 127.0.0.1:{SMTP_PORT})\n"
        + f"Staff pages: {GATEWAY}/login\n"
        + f"Demo admin: {DEMO_ADMIN} password {password}\n"
        + "  (made for this run, for this machine only; the first sign-in sets up two-factor\n"
        + "  authentication: add the key it shows to any authenticator app)\n"
        + f"Public site: {GATEWAY}/events\n"
        + "Ctrl-C stops everything.\n"
    )


async def stop_all(processes: dict[str, asyncio.subprocess.Process]) -> None:
    """SIGTERM to each (a terminal's Ctrl-C may have reached them already), then wait; a process
    still there after the services' grace period is killed, so nothing outlives the run."""
    for process in processes.values():
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(30):
            await asyncio.gather(*(p.wait() for p in processes.values()))
    except TimeoutError:
        for process in processes.values():
            if process.returncode is None:
                process.kill()
        await asyncio.gather(*(p.wait() for p in processes.values()))


async def main() -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await provision(ADMIN_DSN, DATABASE, role_prefix=ROLE_PREFIX)
    keep_keys()
    processes = await start_all()
    try:
        async with httpx.AsyncClient(auth=ServiceTokenAuth(SERVICE_TOKEN_KEY, "admin"), timeout=30) as client:
            ready = asyncio.gather(*(wait_ready(client, s, processes[s]) for s in SERVICES))
            await first_of(ready, stop)
            if not stop.is_set():
                await first_of(load_demo_data(client, {s: url(s) for s in SERVICES}, AMQP_URL), stop)
        if not stop.is_set():
            print(banner(await demo_admin()), flush=True)
        await stop.wait()
    finally:
        await stop_all(processes)
    print("Hearth stopped.", flush=True)


async def first_of(work: Awaitable[Any], stop: asyncio.Event) -> None:
    """Run `work` unless Ctrl-C comes first (then it is cancelled)."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    else:
        task.result()


if __name__ == "__main__":
    asyncio.run(main())
