"""Long lists are shown a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

PAGE_SIZE = 50

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    number: int
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @classmethod
    def of(cls, number: int | None, size: int = PAGE_SIZE) -> Page:
        return cls(max(1, number or 1), size)


@dataclass(frozen=True)
class Window:
    """Where one page sits in a list of `total` items."""

    number: int
    total: int
    size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.total

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


def paginate(items: Sequence[T], page: Page) -> tuple[list[T], Window]:
    """The items of `page` out of the whole list, and where that page sits."""
    return list(items[page.offset : page.offset + page.size]), Window(page.number, len(items), page.size)
