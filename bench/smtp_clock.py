"""An SMTP server (aiosmtpd) that notes when it accepted each email: one line per email,
`<X-Hearth-Correlation-Id> <wall-clock seconds>`, appended to a file.

Run by bench/notify.py as a process of its own, so that parsing emails never competes with the
load generator for one interpreter:

    python bench/smtp_clock.py PORT LOGFILE
"""

from __future__ import annotations

import signal
import sys
import time
from email.parser import BytesHeaderParser
from typing import IO, Any

from aiosmtpd.controller import Controller


class _Clock:
    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._headers = BytesHeaderParser()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        accepted = time.time()
        headers = self._headers.parsebytes(envelope.content)
        self._out.write(f"{headers['X-Hearth-Correlation-Id']} {accepted:.6f}\n")
        return "250 Message accepted"


def serve(port: int, path: str) -> None:
    """Serve until SIGTERM or SIGINT (blocked first, so the server's thread never takes them)."""
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)
    with open(path, "a", buffering=1) as out:
        controller = Controller(_Clock(out), hostname="127.0.0.1", port=port)
        controller.start()
        signal.sigwait(stop)
        controller.stop()


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2])
