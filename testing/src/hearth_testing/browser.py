"""A real browser for the staff pages: Debian's Chromium (installed with apt when missing — never
a browser download), driven by Playwright, with axe-core (bundled by axe-playwright-python, run
inside the page) to find accessibility violations."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What WCAG 2.2 AA asks of a page, in axe-core's tags.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def ensure_chromium() -> Path:
    """Debian's chromium package, installed now if this machine lacks it."""
    if not CHROMIUM.exists():
        apt = shutil.which("apt-get")
        if apt is None:
            raise RuntimeError("Chromium is missing and apt-get is not here: install Debian's chromium")
        subprocess.run([apt, "update", "-qq"], check=True)
        subprocess.run([apt, "install", "-y", "-qq", "chromium"], check=True)
    return CHROMIUM


async def launch(playwright: Playwright) -> Browser:
    return await playwright.chromium.launch(
        executable_path=str(ensure_chromium()), headless=True, args=CHROMIUM_ARGS
    )


_AXE = Axe()


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of WCAG 2.x A/AA on the page as it is now."""
    results = await _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [n["target"] for n in v["nodes"][:3]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return "\n".join(lines)
