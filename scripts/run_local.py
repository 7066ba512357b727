"""Run all of Hearth on this machine: every service and the gateway as processes against the local
RabbitMQ and PostgreSQL, a mail sink writing to .hearth/mail, and demo data. Ctrl-C stops it all.

Started by `./dev run`. Settings come from HEARTH_* variables as in production; this script only
fills in the per-service database role and port, and the service-token key (a new one each run
unless HEARTH_SERVICE_TOKEN_KEY is set).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import sys
from pathlib import Path

import httpx

from demo_data import load_demo_data
from hearth_shared.provision import SERVICES, provision, role_name
from hearth_shared.service_token import KEY_VARIABLE
from hearth_testing.tokens import ServiceTokenAuth

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".hearth"
ADMIN_DSN = os.environ.get("HEARTH_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("HEARTH_DATABASE", "hearth")
PORTS = {"gateway": 8000, "registration": 8001, "credits": 8002, "groups": 8003, "notifications": 8004}
SMTP_PORT = int(os.environ.get("HEARTH_SMTP_PORT", "1025"))
# The gateway signs a token for every call it makes to a service. Locally, a key made for this run
# (never one kept in the repository); set HEARTH_SERVICE_TOKEN_KEY to keep one across runs.
SERVICE_TOKEN_KEY = os.environ.get(KEY_VARIABLE) or secrets.token_urlsafe(48)
DEMO_ADMIN = os.environ.get("HEARTH_DEMO_ADMIN_EMAIL", "admin@hearth.localhost")


def keep_service_token_key() -> None:
    """Keep this run's key in .hearth/ (never committed, readable by this user only), so that a
    developer can sign a token to call a service by hand (scripts/service_token.py)."""
    path = STATE / "service-token.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(SERVICE_TOKEN_KEY + "\n")


def service_env(service: str) -> dict[str, str]:
    host_part = ADMIN_DSN.split("@", 1)[1].split("/", 1)[0]
    return {
        **os.environ,
        "HEARTH_DATABASE_URL": f"postgresql://{role_name(service)}@{host_part}/{DATABASE}",
        "HEARTH_HTTP_PORT": str(PORTS[service]),
        "HEARTH_SMTP_PORT": str(SMTP_PORT),
        "HEARTH_LOG_FORMAT": os.environ.get("HEARTH_LOG_FORMAT", "console"),
        KEY_VARIABLE: SERVICE_TOKEN_KEY,
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


async def wait_ready(client: httpx.AsyncClient, service: str) -> None:
    async with asyncio.timeout(60):
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{PORTS[service]}/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.3)


async def main() -> None:
    await provision(ADMIN_DSN, DATABASE)
    keep_service_token_key()
    for part in ("tmp", "new", "cur"):  # a Maildir: the sink writes here, any mail reader opens it
        (STATE / "mail" / part).mkdir(parents=True, exist_ok=True)
    processes = [
        await spawn(
            "mail",
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{SMTP_PORT}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(STATE / "mail"),
            ],
            dict(os.environ),
        )
    ]
    for service in SERVICES:
        processes.append(
            await spawn(service, [sys.executable, "-m", f"hearth_{service}"], service_env(service))
        )
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    try:
        async with httpx.AsyncClient(auth=ServiceTokenAuth(SERVICE_TOKEN_KEY, "admin")) as client:
            await asyncio.gather(*(wait_ready(client, s) for s in SERVICES))
            await load_demo_data(client, f"http://127.0.0.1:{PORTS['registration']}")
        password = await demo_admin()
        print(
            "\nHearth is running:\n"
            + "".join(f"  {s:<14} http://127.0.0.1:{p}/docs\n" for s, p in PORTS.items())
            + f"  emails         {STATE / 'mail'} (a Maildir; SMTP on 127.0.0.1:{SMTP_PORT})\n"
            + f"Staff pages: http://127.0.0.1:{PORTS['gateway']}/login as {DEMO_ADMIN}, password {password}\n"
            + "  (made for this run, for this machine only; the first sign-in sets up two-factor\n"
            + "  authentication: add the key it shows to any authenticator app)\n"
            + "Ctrl-C stops everything.\n",
            flush=True,
        )
        await stop.wait()
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        await asyncio.gather(*(p.wait() for p in processes))


if __name__ == "__main__":
    asyncio.run(main())
