"""Queries on registration's own schema. Every function takes the caller's connection, so the
caller decides the transaction."""

from . import attendance, gatherings, people, seats

__all__ = ["attendance", "gatherings", "people", "seats"]
