"""`python -m hearth_registration` serves registration; `python -m hearth_registration migrate` applies its
database migrations and exits (the Kubernetes migration Job; a served replica migrates at start-up
too, under the same advisory lock, so either order is safe)."""

import sys

from hearth_shared import migrate_command
from hearth_shared.api import serve

from .app import create_app
from .events import SERVICE
from .settings import RegistrationSettings

settings = RegistrationSettings()

if sys.argv[1:] == ["migrate"]:
    migrate_command.run(settings.database_url, SERVICE, "hearth_registration.store.migrations")
else:
    serve(create_app(settings), settings, SERVICE)
