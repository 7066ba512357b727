"""Create one RabbitMQ user per service and per outside system, each allowed only its own names
and, on `hearth.events`, only the routing keys it owns (`hearth_shared.publishers`) — a deploy step;
passwords from the environment, never the repo.

- A service (`hearth-<service>`) may use the shared `hearth.*` names and its own `<service>.*`
  queues, and publish through the default exchange (parking); its topic permission on
  `hearth.events` covers only its own events.
- An outside system (`hearth-<system>`: membership-register, video-platform, payments) may only
  publish to `hearth.events`, only its own routing keys: no queue, no `hearth.redeliver`, no
  default exchange, nothing to read or declare.

Through the management HTTP API (deploy) or `rabbitmqctl` on the broker's host (where the
management plugin is not enabled, as on a developer's machine):

    python -m hearth_shared.provision_broker --api http://rabbitmq:15672 --admin-user admin
    python -m hearth_shared.provision_broker --rabbitmqctl
    (HEARTH_BROKER_ADMIN_PASSWORD, HEARTH_<SERVICE>_BROKER_PASSWORD and
     HEARTH_<SYSTEM>_BROKER_PASSWORD — e.g. HEARTH_MEMBERSHIP_REGISTER_BROKER_PASSWORD — in the environment)
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import httpx

from .messaging.topology import EVENTS
from .provision import passwords_from_env
from .publishers import OUTSIDE_KEYS, SERVICE_KEYS, key_pattern

NOTHING = "^$"


def permissions(service: str, prefix: str = "") -> dict[str, str]:
    """configure/write/read regexes: shared exchanges and queues, its own queues, and the default
    exchange (parking is published through it)."""
    own = f"^({re.escape(prefix)}hearth\\..*|{re.escape(prefix)}{service}\\..*)$"
    return {"configure": own, "write": own.replace(")$", "|amq\\.default)$"), "read": own}


def outside_permissions(prefix: str = "") -> dict[str, str]:
    """An outside system writes to the events exchange and nowhere else, and reads nothing."""
    return {"configure": NOTHING, "write": f"^{re.escape(prefix + EVENTS)}$", "read": NOTHING}


@dataclass(frozen=True)
class TopicPermission:
    exchange: str
    write: str
    read: str


def topic_permission(publisher: str, prefix: str = "") -> TopicPermission:
    """What `publisher` (a service or an outside system) may publish on `hearth.events`; services
    bind their queues with any key (read), outside systems with none."""
    if publisher in SERVICE_KEYS:
        return TopicPermission(prefix + EVENTS, key_pattern(SERVICE_KEYS[publisher]), ".*")
    return TopicPermission(prefix + EVENTS, key_pattern(OUTSIDE_KEYS[publisher]), NOTHING)


class BrokerAdmin(Protocol):
    def put_user(self, user: str, password: str) -> None: ...
    def set_permissions(self, vhost: str, user: str, allowed: dict[str, str]) -> None: ...
    def set_topic_permission(self, vhost: str, user: str, allowed: TopicPermission) -> None: ...
    def delete_user(self, user: str) -> None: ...


class ManagementApi:
    """The management plugin's HTTP API (what a deployment has)."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def put_user(self, user: str, password: str) -> None:
        self._client.put(
            f"/api/users/{quote(user)}", json={"password": password, "tags": ""}
        ).raise_for_status()

    def set_permissions(self, vhost: str, user: str, allowed: dict[str, str]) -> None:
        path = f"/api/permissions/{quote(vhost, safe='')}/{quote(user)}"
        self._client.put(path, json=allowed).raise_for_status()

    def set_topic_permission(self, vhost: str, user: str, allowed: TopicPermission) -> None:
        path = f"/api/topic-permissions/{quote(vhost, safe='')}/{quote(user)}"
        body = {"exchange": allowed.exchange, "write": allowed.write, "read": allowed.read}
        self._client.put(path, json=body).raise_for_status()

    def delete_user(self, user: str) -> None:
        self._client.delete(f"/api/users/{quote(user)}")


class Rabbitmqctl:
    """`rabbitmqctl` on the broker's host; passwords go on standard input, never the command line."""

    def _run(self, *args: str, given: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["rabbitmqctl", *args], input=given, capture_output=True, text=True, timeout=60, check=False
        )

    def _check(self, done: subprocess.CompletedProcess[str]) -> None:
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl failed: {done.stderr.strip()[:500]}")

    def put_user(self, user: str, password: str) -> None:
        made = self._run("add_user", user, given=password + "\n")
        if made.returncode != 0 and "already exists" in (made.stderr + made.stdout):
            made = self._run("change_password", user, given=password + "\n")
        self._check(made)

    def set_permissions(self, vhost: str, user: str, allowed: dict[str, str]) -> None:
        rules = (allowed["configure"], allowed["write"], allowed["read"])
        self._check(self._run("set_permissions", "-p", vhost, user, *rules))

    def set_topic_permission(self, vhost: str, user: str, allowed: TopicPermission) -> None:
        rules = (allowed.exchange, allowed.write, allowed.read)
        self._check(self._run("set_topic_permissions", "-p", vhost, user, *rules))

    def delete_user(self, user: str) -> None:
        self._run("delete_user", user)


def provision_users(
    broker: BrokerAdmin,
    passwords: dict[str, str],
    *,
    vhost: str = "/",
    prefix: str = "",
    user_prefix: str = "hearth-",
) -> None:
    """Each publisher named in `passwords` (a service or an outside system) gets its user, its
    permissions and its topic permission on `hearth.events`. Idempotent: a rerun resets them."""
    for publisher, password in passwords.items():
        user = f"{user_prefix}{publisher}"
        broker.put_user(user, password)
        allowed = permissions(publisher, prefix) if publisher in SERVICE_KEYS else outside_permissions(prefix)
        broker.set_permissions(vhost, user, allowed)
        broker.set_topic_permission(vhost, user, topic_permission(publisher, prefix))
        print(f"broker user {user} ready")


def provision_broker(
    api: str, admin: tuple[str, str], passwords: dict[str, str], *, vhost: str = "/", prefix: str = ""
) -> None:
    with httpx.Client(base_url=api, auth=admin, timeout=10) as client:
        provision_users(ManagementApi(client), passwords, vhost=vhost, prefix=prefix)


def outside_passwords_from_env() -> dict[str, str]:
    """`{system: password}` from `HEARTH_<SYSTEM>_BROKER_PASSWORD` (dashes as underscores)."""
    found = {
        s: os.environ.get(f"HEARTH_{s.upper().replace('-', '_')}_BROKER_PASSWORD", "") for s in OUTSIDE_KEYS
    }
    return {s: password for s, password in found.items() if password}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api", default="http://127.0.0.1:15672")
    parser.add_argument("--admin-user", default="guest")
    parser.add_argument("--vhost", default="/")
    parser.add_argument("--rabbitmqctl", action="store_true", help="use rabbitmqctl instead of the HTTP API")
    args = parser.parse_args()
    passwords = {**passwords_from_env("BROKER"), **outside_passwords_from_env()}
    if not passwords:
        sys.exit("set HEARTH_<SERVICE>_BROKER_PASSWORD (or HEARTH_<SYSTEM>_…) for the users to provision")
    if args.rabbitmqctl:
        provision_users(Rabbitmqctl(), passwords, vhost=args.vhost)
        return
    admin_password = os.environ.get("HEARTH_BROKER_ADMIN_PASSWORD", "guest")
    provision_broker(args.api, (args.admin_user, admin_password), passwords, vhost=args.vhost)


if __name__ == "__main__":
    main()
