"""Short-lived tokens the gateway signs for every call it makes to a service, naming the staff
member and their role; and the FastAPI dependency a service uses to require one.

A token is a JWT (HS256) with `sub` (the staff member's id), `role`, `iat`, `exp` and
`aud="hearth-services"`. The key comes from `HEARTH_SERVICE_TOKEN_KEY`; there is no default, so a
service without a key refuses every request instead of trusting anyone (fail closed).

Rotation: set the new key as `HEARTH_SERVICE_TOKEN_KEY` and the old one as
`HEARTH_SERVICE_TOKEN_KEY_PREVIOUS` on every service first, then on the gateway; tokens are signed
with the current key only and checked against both, so no call is refused while the replicas
restart one by one. Remove the previous key once everything runs with the new one
(docs/operations.md, "Rotating secrets").

    RequireStaff = Annotated[ServiceCaller, Depends(RequireServiceToken("admin", "coordinator"))]
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Header, HTTPException, Request, status

KEY_VARIABLE = "HEARTH_SERVICE_TOKEN_KEY"
PREVIOUS_KEY_VARIABLE = "HEARTH_SERVICE_TOKEN_KEY_PREVIOUS"
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


def previous_key_from_env() -> str | None:
    """The key being rotated out, still accepted (never used to sign); None when not rotating."""
    key = os.environ.get(PREVIOUS_KEY_VARIABLE, "")
    if not key:
        return None
    if len(key) < MIN_KEY_LENGTH:
        raise MissingKey(f"{PREVIOUS_KEY_VARIABLE} is shorter than {MIN_KEY_LENGTH} characters")
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


def verify(
    key: str, token: str, *, now: datetime | None = None, previous: str | None = None
) -> ServiceCaller:
    """The caller named by a valid token; InvalidServiceToken otherwise. Expiry is checked here
    against `now` (the clock by default) so tests can move time; PyJWT checks the rest. A token
    whose signature the current key refuses is tried against the `previous` one (rotation)."""
    try:
        return _verify(key, token, now)
    except _WrongKey as exc:
        if previous is None:
            raise InvalidServiceToken(str(exc)) from None
    try:
        return _verify(previous, token, now)
    except _WrongKey as exc:
        raise InvalidServiceToken(str(exc)) from None


class _WrongKey(Exception):
    """The signature does not match this key (another key may match)."""


def _verify(key: str, token: str, now: datetime | None) -> ServiceCaller:
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
    except jwt.InvalidSignatureError as exc:
        raise _WrongKey(str(exc)) from None
    except (jwt.InvalidTokenError, ValueError, KeyError, TypeError) as exc:
        raise InvalidServiceToken(str(exc) or type(exc).__name__) from None


def bearer(token: str) -> dict[str, str]:
    """The header that carries a token."""
    return {"Authorization": f"Bearer {token}"}


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


class RequireServiceToken:
    """A FastAPI dependency: 401 without a valid token, 403 when its role is not one of `roles`
    (no roles given: any staff role)."""

    def __init__(self, *roles: str, key: str | None = None, previous_key: str | None = None) -> None:
        self.roles = frozenset(roles)
        self._key, self._previous_key = key, previous_key

    # Async so that FastAPI checks it in the event loop: a plain `def` would hop to a worker
    # thread on every request, a measurable share of a fast route's time.
    async def __call__(
        self, request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> ServiceCaller:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized("a service token is required")
        try:
            key = self._key or key_from_env()
            previous = self._previous_key if self._key else previous_key_from_env()
        except MissingKey as exc:
            raise _unauthorized(f"invalid service token: {exc}") from None
        # A route's own check and its router's read the same token: verify it once per request.
        verified: dict[tuple[str, str], ServiceCaller] | None
        verified = getattr(request.state, "service_callers", None)
        if verified is None:
            verified = request.state.service_callers = {}
        caller = verified.get((key, token))
        if caller is None:
            try:
                caller = verified[(key, token)] = verify(key, token, previous=previous)
            except InvalidServiceToken as exc:
                raise _unauthorized(f"invalid service token: {exc}") from None
        if self.roles and caller.role not in self.roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"the role {caller.role!r} may not do this")
        return caller
