"""What every part of registration's API shares: the pool, the settings, reading a record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import asyncpg
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from hearth_shared.messaging import ServiceRuntime

from ..settings import RegistrationSettings

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Deps:
    runtime: ServiceRuntime
    settings: RegistrationSettings

    def pool(self) -> asyncpg.Pool:
        assert self.runtime.pool is not None, "the runtime starts before requests are served"
        return self.runtime.pool


def validate(model: type[ModelT], data: object) -> ModelT:
    """Validate data the request did not carry whole (a change merged into the current record):
    errors answer 422 naming the field, as a bad request body does."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
