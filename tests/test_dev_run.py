"""`./dev run` on a fresh copy of the repository, as a newcomer runs it: it provisions, starts every
service, the gateway and the mail sink, loads the demo data, and prints the staff URL, the demo
admin's login, the mail folder and the public URL. The test signs in to the staff pages with what
was printed (setting up two-factor as a first sign-in must), registers a person through the public
site's form, finds the confirmation in the printed mail folder and opens *My registration* from
its link (signed with the run's link key, which the gateway reads), loads the demo data again
(nothing doubles), and stops the run with Ctrl-C: everything exits and no process of it is left.

The copy is a `git clone` of HEAD (what a newcomer gets: nothing untracked, no `.hearth/`), run
against the session's broker and database under names of its own (database, roles, broker prefix,
ports), which the test removes afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import importlib.util
import json
import os
import re
import secrets
import signal
import socket
import sys
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from hearth_shared import provision
from hearth_testing.fixtures import remove_topology
from hearth_testing.infra import Infra
from hearth_testing.tokens import ServiceTokenAuth
from hearth_testing.waiting import eventually

from .gateway.staff import StaffBrowser

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
READY_LINE = "Ctrl-C stops everything."
RUN_RETRY_DELAYS = [1.0, 10.0, 60.0]  # the services' default: the run sets none
# Five services starting (imports, migrations) and the demo data loading on a machine shared with
# other work can take minutes; this bounds a run that never gets there.
READY_WITHIN = 300


def free_port_block(size: int) -> int:
    """The first of `size` consecutive ports free on 127.0.0.1 (the run takes a gateway port and
    the next four)."""
    for _ in range(200):
        # Below Linux's ephemeral range (32768+), where every outgoing connection and every
        # `free_port()` of the other tests takes its port: a block there can be taken meanwhile.
        base = secrets.randbelow(10_000) + 20_000
        try:
            with contextlib.ExitStack() as stack:
                for port in range(base, base + size):
                    s = stack.enter_context(socket.socket())
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no block of free ports")


@dataclass
class Run:
    process: asyncio.subprocess.Process
    lines: deque[str]
    printed: str
    copy: Path
    amqp_url: str
    admin_dsn: str
    database: str

    def find(self, pattern: str) -> re.Match[str]:
        found = re.search(pattern, self.printed, re.MULTILINE)
        assert found, f"{pattern!r} not printed:\n{self.printed}"
        return found

    async def gone(self) -> bool:
        """No process of the run's group is left (its children were started in it)."""
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return True
        return False


async def _read_until_ready(process: asyncio.subprocess.Process, lines: deque[str]) -> str:
    assert process.stdout is not None
    printed: list[str] = []
    while line := (await process.stdout.readline()).decode(errors="replace"):
        lines.append(line)
        if " | " not in line[:16]:  # the run's own lines, not a service's relayed log
            printed.append(line)
            if line.strip() == READY_LINE:
                return "".join(printed)
    raise AssertionError("./dev run exited before it was ready:\n" + "".join(lines))


async def _keep_reading(process: asyncio.subprocess.Process, lines: deque[str]) -> None:
    assert process.stdout is not None
    while line := await process.stdout.readline():
        lines.append(line.decode(errors="replace"))


@pytest.fixture
async def dev_run(infra: Infra, tmp_path: Path) -> AsyncIterator[Run]:
    copy = tmp_path / "hearth"
    cloned = await asyncio.create_subprocess_exec("git", "clone", "--quiet", str(ROOT), str(copy))
    assert await cloned.wait() == 0
    tag = secrets.token_hex(4)
    database, role_prefix, name_prefix = f"hearth_devrun_{tag}", f"hd{tag}_", f"d{tag}."
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}}
    env |= {
        "HEARTH_ADMIN_DATABASE_URL": infra.admin_dsn,
        "HEARTH_AMQP_URL": infra.amqp_url,
        "HEARTH_DATABASE": database,
        "HEARTH_ROLE_PREFIX": role_prefix,
        "HEARTH_NAME_PREFIX": name_prefix,
        "HEARTH_LOCAL_PORT": str(free_port_block(5)),
        "HEARTH_SMTP_PORT": str(free_port_block(1)),
        "HEARTH_LOG_FORMAT": "json",
        # The run's own services are up already: the script must not try to start others.
        "HEARTH_TEST_DATABASE_URL": infra.admin_dsn,
        "HEARTH_TEST_AMQP_URL": infra.amqp_url,
    }
    env.pop("HEARTH_SERVICE_TOKEN_KEY", None)
    env.pop("HEARTH_LINK_KEY", None)  # the run makes its own
    process = await asyncio.create_subprocess_exec(
        str(copy / "dev"), "run", cwd=copy, env=env, start_new_session=True,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    lines: deque[str] = deque(maxlen=400)
    reader: asyncio.Task[None] | None = None
    try:
        try:
            printed = await asyncio.wait_for(_read_until_ready(process, lines), READY_WITHIN)
        except TimeoutError:
            raise AssertionError(f"./dev run was not ready in {READY_WITHIN} s:\n" + "".join(lines)) from None
        reader = asyncio.create_task(_keep_reading(process, lines))
        yield Run(process, lines, printed, copy, infra.amqp_url, infra.admin_dsn, database)
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever the test left running
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        if reader:
            reader.cancel()
        await provision.drop(infra.admin_dsn, database, role_prefix=role_prefix)
        await remove_topology(infra.amqp_url, name_prefix, RUN_RETRY_DELAYS)


def _messages(folder: Path) -> list[EmailMessage]:
    found = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in folder.iterdir()]
    return [m for m in found if isinstance(m, EmailMessage)]


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_ATTEMPT = re.compile(r'name="attempt" value="([^"]+)"')


async def register_on_the_public_site(public_url: str, gathering_id: str, who: str) -> None:
    """The public registration form, as a browser sends it: its CSRF cookie and field, its attempt id."""
    async with httpx.AsyncClient(base_url=public_url, timeout=30) as client:
        page = await client.get(f"/events/{gathering_id}/register")
        assert page.status_code == 200, page.text
        csrf, attempt = _CSRF.search(page.text), _ATTEMPT.search(page.text)
        assert csrf
        assert attempt
        form = {
            "csrf": csrf.group(1),
            "attempt": attempt.group(1),
            "name": "Newcomer Test",
            "email": who,
            "preferred_language": "fr",
            "ticket_type": "non_member",
            "profession": "Social worker",
            "regulatory_body": "Nova Scotia College of Social Workers",
            "region": "Nova Scotia",
            "attests": "yes",
        }
        sent = await client.post(f"/events/{gathering_id}/register", data=form)
        assert sent.status_code == 200, sent.text


async def test_dev_run_from_a_fresh_clone_serves_signs_in_mails_and_stops_cleanly(dev_run: Run) -> None:
    staff_url = dev_run.find(r"^Staff pages: (http://\S+)/login$").group(1)
    admin, password = dev_run.find(r"^Demo admin: (\S+) password (\S+)$").groups()
    public_url = dev_run.find(r"^Public site: (http://\S+)$").group(1)
    mail = Path(dev_run.find(r"^  emails +(\S+) \(a Maildir").group(1))
    services = dict(re.findall(r"^  ([a-z]+) +(http://\S+)/(?:docs|openapi\.json)$", dev_run.printed, re.M))
    assert set(services) == {"gateway", "registration", "credits", "groups", "notifications"}
    assert mail.is_relative_to(dev_run.copy)
    key = (dev_run.copy / ".hearth" / "service-token.key").read_text().strip()
    assert len((dev_run.copy / ".hearth" / "link.key").read_text().strip()) >= 32  # made for this run

    async with httpx.AsyncClient(timeout=30) as client:
        for url in services.values():  # every health endpoint answers
            assert (await client.get(f"{url}/health")).status_code == 200
            assert (await client.get(f"{url}/ready")).status_code == 200
        assert public_url.startswith(staff_url)

    async with httpx.AsyncClient(base_url=staff_url, timeout=30) as client:
        browser = StaffBrowser(client)
        signed = await browser.sign_in(admin, password)
        assert (signed.status_code, signed.headers["location"]) == (303, "/account/two-factor")
        await browser.set_up_two_factor()
        gatherings = await client.get("/gatherings")
        assert gatherings.status_code == 200
        assert "London" in gatherings.text  # the demo data is there, through the staff pages

    registration = services["registration"]
    async with httpx.AsyncClient(base_url=registration, timeout=30) as client:
        client.auth = ServiceTokenAuth(key, "public")
        listed = (await client.get("/gatherings")).json()
    noon = next(g for g in listed if g["title"]["en"].startswith("June noon"))
    who = f"newcomer.{secrets.token_hex(3)}@example.org"
    site = public_url.removesuffix("/events")
    await register_on_the_public_site(site, noon["id"], who)

    async def emails_to_the_newcomer() -> list[EmailMessage]:
        return [m for m in _messages(mail) if m["To"] and who in m["To"]]

    found = await eventually(emails_to_the_newcomer, timeout=30, what=f"an email to {who} in {mail}")
    assert found[0]["Subject"]
    text = str(found[0].get_body(("plain",)).get_content())  # type: ignore[union-attr]
    [mine] = {w.rstrip(".,)") for w in text.split() if w.startswith(f"{site}/my/")}
    async with httpx.AsyncClient(timeout=30) as client:
        page = await client.get(mine)
    assert page.status_code == 200, page.text
    assert "calendar.ics" in page.text  # the ticket's own page, read from the link

    await check_demo_data(services, key)
    await check_what_no_service_lists(dev_run)

    # The demo data loads again on the running stack without doubling anything.
    async with httpx.AsyncClient(timeout=60, auth=ServiceTokenAuth(key, "admin")) as client:
        before = (await client.get(f"{registration}/gatherings")).json()
        demo = load_demo_module(dev_run.copy)
        await demo.load_demo_data(client, services, dev_run.amqp_url)
        after = (await client.get(f"{registration}/gatherings")).json()
        assert sorted(g["id"] for g in after) == sorted(g["id"] for g in before)

    os.killpg(dev_run.process.pid, signal.SIGINT)  # Ctrl-C in the terminal: the whole group
    code = await asyncio.wait_for(dev_run.process.wait(), 45)
    await eventually(dev_run.gone, timeout=10)
    output = "".join(dev_run.lines)
    assert code == 0, output[-5000:]
    assert "Hearth stopped." in output
    assert "Traceback" not in output, output[-5000:]


async def check_demo_data(services: dict[str, str], key: str) -> None:
    """What the issue asks of the demo data, as the services hold it."""
    async with httpx.AsyncClient(timeout=30, auth=ServiceTokenAuth(key, "admin")) as client:
        listed = (await client.get(f"{services['registration']}/gatherings")).json()
        by_title = {g["title"]["en"].split(" — ")[0]: g for g in listed}
        assert by_title["December quarterly community of practice"]["local_start"].endswith("12:00 AST")
        assert by_title["June noon community of practice"]["local_start"].endswith("12:00 ADT")
        london = by_title["Inter-borough networking evening for social workers"]
        assert london["local_start"].endswith("-10-01 18:00 BST")
        assert london["time_zone"] == "Europe/London"
        ends = datetime.fromisoformat(london["ends_at"]).astimezone(ZoneInfo("Europe/London"))
        assert (ends.strftime("%m-%d %H:%M %Z"), ends.date()) == ("10-01 21:30 BST", _date(london))
        june = by_title["June noon community of practice"]["id"]
        breakouts = (await client.get(f"{services['registration']}/gatherings/{june}/breakouts")).json()
        assert [(b["language"], b["name"]["en"]) for b in breakouts] == [("fr", "French-speaking breakout")]
        assert (
            "Annual support conference for social work students and newly qualified social workers"
            in by_title
        )
        december = by_title["December quarterly community of practice"]["id"]
        holders = (await client.get(f"{services['registration']}/gatherings/{december}/registrants")).json()
        assert {h["ticket_type"] for h in holders} == {"member", "non_member", "student"}
        [student] = [h for h in holders if h["ticket_type"] == "student"]
        assert "French" in (student["breakout"] or "")  # the practicum student supports the French breakout
        groups = (await client.get(f"{services['groups']}/groups")).json()
        [supervision] = [g for g in groups if g["kind"] == "peer_supervision"]
        assert supervision["member_count"] == 5
        meetings = (await client.get(f"{services['groups']}/groups/{supervision['id']}/meetings")).json()
        assert_monthly(meetings)


def _date(gathering: dict[str, Any]) -> date:
    return datetime.fromisoformat(gathering["starts_at"]).astimezone(ZoneInfo(gathering["time_zone"])).date()


def assert_monthly(meetings: list[dict[str, Any]]) -> None:
    """Six meetings, one a month (first Tuesday, noon to 13:30 Halifax time)."""
    halifax = ZoneInfo("America/Halifax")
    starts = [datetime.fromisoformat(m["starts_at"]).astimezone(halifax) for m in meetings]
    ends = [datetime.fromisoformat(m["ends_at"]).astimezone(halifax) for m in meetings]
    assert len(meetings) == 6
    assert all(m["status"] == "scheduled" for m in meetings), meetings
    assert all((s.weekday(), s.day <= 7, s.strftime("%H:%M")) == (1, True, "12:00") for s in starts)
    assert all(e - s == timedelta(minutes=90) for s, e in zip(starts, ends, strict=True))
    months = sorted(s.year * 12 + s.month for s in starts)
    assert months == list(range(months[0], months[0] + 6))


async def check_what_no_service_lists(run: Run) -> None:
    """The circles' draft proposals and the credit the supervision meetings earn: no service lists
    them over HTTP (a proposal is read by its id, a credits activity only through a person's
    ledger), so they are read where the services keep them, one query each."""
    connection = await asyncpg.connect(run.admin_dsn, database=run.database)
    try:
        proposals = await connection.fetch(
            "SELECT topic, status FROM groups.proposals WHERE kind = $1", "practice_area_circle"
        )
        assert sorted((p["topic"], p["status"]) for p in proposals) == [
            ("clinical", "draft"),
            ("housing_and_poverty", "draft"),
            ("justice", "draft"),
        ]
        meetings = await connection.fetch(
            "SELECT m.id FROM groups.meetings m JOIN groups.groups g ON g.id = m.group_id WHERE g.kind = $1",
            "peer_supervision",
        )

        async def credited() -> list[Any]:
            return await connection.fetch(
                "SELECT length_minutes, policy FROM credits.activities WHERE id = ANY($1::uuid[])",
                [m["id"] for m in meetings],
            )

        earning = await eventually(
            credited, lambda rows: len(rows) == len(meetings), timeout=30, what="the meetings in credits"
        )
    finally:
        await connection.close()
    assert len(meetings) == 6
    for activity in earning:
        policy = json.loads(activity["policy"])
        assert (activity["length_minutes"], Decimal(policy["hours"])) == (90, Decimal("1.5")), policy


def load_demo_module(copy: Path) -> ModuleType:
    """scripts/demo_data.py of the copy (not a package: scripts run as files)."""
    spec = importlib.util.spec_from_file_location("fresh_demo_data", copy / "scripts" / "demo_data.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
