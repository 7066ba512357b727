"""`python -m hearth_notifications` serves notifications; `python -m hearth_notifications migrate`
applies its database migrations and exits (the Kubernetes migration Job; a served replica migrates
at start-up too, under the same advisory lock, so either order is safe)."""

import sys

from hearth_shared import migrate_command
from hearth_shared.api import serve

from .app import SERVICE, create_app
from .settings import MissingSender, NotificationsSettings

settings = NotificationsSettings()

if sys.argv[1:] == ["migrate"]:  # needs no sender: it sends nothing
    migrate_command.run(settings.database_url, SERVICE, "hearth_notifications.store.migrations")
    sys.exit()
try:
    settings.sender()
except MissingSender as missing:
    sys.exit(f"notifications cannot start: {missing}")
serve(create_app(settings), settings, SERVICE)
