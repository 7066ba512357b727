"""Parked messages from the command line (docs/operations.md, "Parked messages"):

    python -m hearth_shared.messaging.parking list registration
    python -m hearth_shared.messaging.parking replay registration [--id MESSAGE_ID]

`list` prints every parked message (they stay where they are); `replay` sends them back to their
handlers, once the cause is fixed. Both print JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict

import aio_pika

from ...settings import ServiceSettings
from ..topology import Names
from . import list_parked, replay


async def _main(command: str, service: str, message_id: str | None) -> None:
    settings = ServiceSettings()
    connection = await aio_pika.connect_robust(settings.amqp_url)
    names = Names(settings.name_prefix, service)
    try:
        found = await (
            list_parked(connection, names) if command == "list" else replay(connection, names, message_id)
        )
        print(json.dumps([asdict(p) for p in found], indent=2, ensure_ascii=False))
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m hearth_shared.messaging.parking",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["list", "replay"])
    parser.add_argument("service")
    parser.add_argument("--id", dest="message_id")
    args = parser.parse_args()
    asyncio.run(_main(args.command, args.service, args.message_id))


if __name__ == "__main__":
    main()
