"""`python -m hearth_credits` serves credits; `python -m hearth_credits migrate` applies its
database migrations and exits (the Kubernetes migration Job; a served replica migrates at start-up
too, under the same advisory lock, so either order is safe)."""

import sys

from hearth_shared import migrate_command
from hearth_shared.api import serve

from .app import SERVICE, create_app
from .settings import CreditsSettings

settings = CreditsSettings()

if sys.argv[1:] == ["migrate"]:
    migrate_command.run(settings.database_url, SERVICE, "hearth_credits.store.migrations")
else:
    serve(create_app(settings), settings, SERVICE)
