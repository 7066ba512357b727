"""Records become typed rows here, so no `asyncpg.Record` leaves the store."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, TypeVar

import asyncpg

RowT = TypeVar("RowT")


_COLUMNS: dict[type[Any], tuple[str, ...]] = {}


def _columns(cls: type[Any]) -> tuple[str, ...]:
    if (names := _COLUMNS.get(cls)) is None:
        names = _COLUMNS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def one(cls: type[RowT], record: asyncpg.Record | None) -> RowT:
    """The row a statement must return (an INSERT or UPDATE ... RETURNING of a known id)."""
    assert record is not None
    return cls(**{name: record[name] for name in _columns(cls)})


def maybe(cls: type[RowT], record: asyncpg.Record | None) -> RowT | None:
    return None if record is None else one(cls, record)


def many(cls: type[RowT], records: Iterable[asyncpg.Record]) -> list[RowT]:
    return [one(cls, r) for r in records]
