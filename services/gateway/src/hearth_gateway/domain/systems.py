"""Outside systems that publish through the HTTP door: each has a name (in the door's URL), the
event types it may send, one or more signing secrets, and can be disabled.

Requests are signed as Standard Webhooks says (HMAC-SHA256 over `webhook-id`, `webhook-timestamp`
and the body, `webhook-signature: v1,<base64> [v1,<base64> …]`), verified by the `standardwebhooks`
library, which refuses a timestamp more than five minutes from now. A system being rotated has
two secrets at once: a signature by either is accepted until the old one expires, and a sender may
sign with both (several signatures in the header) while it switches.

The secrets are symmetric — the door needs the very secret to check a signature — so they are
stored as given rather than hashed (as staff TOTP keys are): only the gateway's database role can
read the table, a secret is shown to an admin once, when made, and never again.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
ROTATION_OVERLAP = timedelta(hours=24)  # how long the previous secret still verifies after a rotation


@dataclass(frozen=True)
class System:
    name: str
    event_types: frozenset[str]
    enabled: bool
    created_at: datetime
    secrets: int  # signing secrets that verify now
    retiring_until: datetime | None  # when the previous secret stops verifying, during a rotation


@dataclass(frozen=True)
class Signer:
    """What the door needs of a system to check a request: its types and its live secrets."""

    name: str
    event_types: frozenset[str]
    enabled: bool
    secrets: tuple[str, ...]


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def name_problem(name: str) -> str | None:
    if not NAME.match(name):
        return "2 to 63 lowercase letters, digits and dashes, starting with a letter or digit"
    return None


SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def signature_problem(signer_secrets: tuple[str, ...], body: bytes, headers: Mapping[str, str]) -> str | None:
    """None if one of the secrets signed this body with these headers (and the timestamp is within
    five minutes of now); else why not, in words that leak no secret."""
    given = {name: headers.get(name, "") for name in SIGNATURE_HEADERS}
    if not all(given.values()):
        return "missing the webhook-id, webhook-timestamp or webhook-signature header"
    text = body.decode("utf-8", errors="strict")  # the caller refused a body that is not UTF-8
    reason = "no signature matches a secret of this system"
    for secret in signer_secrets:
        try:
            Webhook(secret).verify(text, given, json_parse=False)
            return None
        except WebhookVerificationError as exc:
            if "timestamp" in str(exc).lower() or "headers" in str(exc).lower():
                return "the webhook-timestamp is missing, unreadable or more than five minutes from now"
        except ValueError:  # a malformed signature list (no comma, bad base64)
            return "the webhook-signature header is malformed"
    return reason
