"""Erasing a person's details: the ledger (by opaque id) stays, as regulators require."""

from __future__ import annotations

import uuid

from hearth_shared.messaging import Work

from .. import store


async def erase(work: Work, email: str) -> list[uuid.UUID]:
    return await store.people.erase(work.conn, email)
