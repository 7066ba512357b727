"""Create one RabbitMQ user per service, allowed only the shared `hearth.*` names and its own
`<service>.*` queues, through the management HTTP API (deploy step; passwords from the
environment, never the repo).

    python -m hearth_shared.provision_broker --api http://rabbitmq:15672 --admin-user admin
    (HEARTH_BROKER_ADMIN_PASSWORD and HEARTH_<SERVICE>_BROKER_PASSWORD in the environment)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from urllib.parse import quote

import httpx

from .provision import passwords_from_env


def permissions(service: str, prefix: str = "") -> dict[str, str]:
    """configure/write/read regexes: shared exchanges and queues, its own queues, and the default
    exchange (parking is published through it)."""
    own = f"^({re.escape(prefix)}hearth\\..*|{re.escape(prefix)}{service}\\..*)$"
    return {"configure": own, "write": own.replace(")$", "|amq\\.default)$"), "read": own}


def provision_broker(
    api: str, admin: tuple[str, str], passwords: dict[str, str], *, vhost: str = "/", prefix: str = ""
) -> None:
    with httpx.Client(base_url=api, auth=admin, timeout=10) as client:
        for service, password in passwords.items():
            user = f"hearth-{service}"
            client.put(
                f"/api/users/{quote(user)}", json={"password": password, "tags": ""}
            ).raise_for_status()
            client.put(
                f"/api/permissions/{quote(vhost, safe='')}/{quote(user)}", json=permissions(service, prefix)
            ).raise_for_status()
            print(f"broker user {user} ready")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api", default="http://127.0.0.1:15672")
    parser.add_argument("--admin-user", default="guest")
    parser.add_argument("--vhost", default="/")
    args = parser.parse_args()
    passwords = passwords_from_env("BROKER")
    if not passwords:
        sys.exit("set HEARTH_<SERVICE>_BROKER_PASSWORD for the services to provision")
    admin_password = os.environ.get("HEARTH_BROKER_ADMIN_PASSWORD", "guest")
    provision_broker(args.api, (args.admin_user, admin_password), passwords, vhost=args.vhost)


if __name__ == "__main__":
    main()
