"""What an action refuses, in words a caller can act on (the API maps them to HTTP answers)."""

from __future__ import annotations


class UnknownDelivery(Exception):
    """No delivery has this id."""


class UnknownPerson(Exception):
    """No event naming a person with this id has reached notifications."""


class Erased(Exception):
    """The person's details were erased at their request: nothing can be sent to them again."""
