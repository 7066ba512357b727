"""Print a service token to call a service of `./dev run` by hand, as the gateway would:

    curl -H "Authorization: Bearer $(uv run python scripts/service_token.py --role viewer)" \\
        http://127.0.0.1:8001/gatherings

The key is HEARTH_SERVICE_TOKEN_KEY, or the one `./dev run` keeps in .hearth/service-token.key.
"""

from __future__ import annotations

import argparse
import os
import uuid
from datetime import timedelta
from pathlib import Path

from hearth_shared.service_access import ROLES
from hearth_shared.service_token import KEY_VARIABLE, sign

KEY_FILE = Path(__file__).resolve().parent.parent / ".hearth" / "service-token.key"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--role", choices=ROLES, default="admin")
    parser.add_argument("--staff-id", type=uuid.UUID, default=uuid.UUID(int=0), help="who the token names")
    parser.add_argument("--minutes", type=float, default=15, help="how long it lasts")
    args = parser.parse_args()
    key = os.environ.get(KEY_VARIABLE) or KEY_FILE.read_text().strip()
    print(sign(key, args.staff_id, args.role, lifetime=timedelta(minutes=args.minutes)))


if __name__ == "__main__":
    main()
