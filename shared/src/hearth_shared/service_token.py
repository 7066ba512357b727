"""Short-lived tokens the gateway signs for every call it makes to a service, naming the staff
member and their role; and the FastAPI dependency a service uses to require one.

A token is a JWT (HS256) with `sub` (the staff member's id), `role`, `iat`, `exp` and
`aud="hearth-services"`. The key comes from `HEARTH_SERVICE_TOKEN_KEY`; there is no default, so a
service without a key refuses every request instead of trusting anyone (fail closed).

    RequireStaff = Annotated[ServiceCaller, Depends(RequireServiceToken("admin", "coordinator"))]
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Header, HTTPException, status

KEY_VARIABLE = "HEARTH_SERVICE_TOKEN_KEY"
AUDIENCE = "hearth-services"
ISSUER = "hearth-gateway"
ALGORITHM = "HS256"
MIN_KEY_LENGTH = 32
DEFAULT_LIFETIME = timedelta(seconds=60)


class InvalidServiceToken(Exception):
    """The token is missing, malformed, signed with another key, or expired."""


class MissingKey(RuntimeError):
    """No key in the environment: set HEARTH_SERVICE_TOKEN_KEY (32 characters or more)."""


@dataclass(frozen=True)
class ServiceCaller:
    """Who a service is answering: a staff member with a role, as the gateway vouches."""

    staff_id: uuid.UUID
    role: str


def key_from_env() -> str:
    """The signing key, or MissingKey: never a made-up default."""
    key = os.environ.get(KEY_VARIABLE, "")
    if len(key) < MIN_KEY_LENGTH:
        raise MissingKey(f"set {KEY_VARIABLE} to a random value of at least {MIN_KEY_LENGTH} characters")
    return key


def sign(
    key: str,
    staff_id: uuid.UUID,
    role: str,
    *,
    lifetime: timedelta = DEFAULT_LIFETIME,
    now: datetime | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": str(staff_id),
        "role": role,
        "iat": issued,
        "exp": issued + lifetime,
        "aud": AUDIENCE,
        "iss": ISSUER,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify(key: str, token: str, *, now: datetime | None = None) -> ServiceCaller:
    """The caller named by a valid token; InvalidServiceToken otherwise. Expiry is checked here
    against `now` (the clock by default) so tests can move time; PyJWT checks the rest."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={
                "require": ["exp", "iat", "sub", "aud", "iss"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
        if datetime.fromtimestamp(claims["exp"], UTC) <= (now or datetime.now(UTC)):
            raise InvalidServiceToken("the token has expired")
        return ServiceCaller(uuid.UUID(claims["sub"]), str(claims["role"]))
    except (jwt.InvalidTokenError, ValueError, KeyError, TypeError) as exc:
        raise InvalidServiceToken(str(exc) or type(exc).__name__) from None


def bearer(token: str) -> dict[str, str]:
    """The header that carries a token."""
    return {"Authorization": f"Bearer {token}"}


class RequireServiceToken:
    """A FastAPI dependency: 401 without a valid token, 403 when its role is not one of `roles`
    (no roles given: any staff role)."""

    def __init__(self, *roles: str, key: str | None = None) -> None:
        self.roles = frozenset(roles)
        self._key = key

    def __call__(self, authorization: Annotated[str | None, Header()] = None) -> ServiceCaller:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a service token is required",
                                headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        try:
            caller = verify(self._key or key_from_env(), token)
        except (InvalidServiceToken, MissingKey) as exc:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid service token: {exc}",
                                headers={"WWW-Authenticate": "Bearer"}) from None  # fmt: skip
        if self.roles and caller.role not in self.roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"the role {caller.role!r} may not do this")
        return caller
