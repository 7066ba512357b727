import sys

from hearth_shared.api import serve

from .app import SERVICE, create_app
from .settings import MissingSender, NotificationsSettings

settings = NotificationsSettings()
try:
    settings.sender()
except MissingSender as missing:
    sys.exit(f"notifications cannot start: {missing}")
serve(create_app(settings), settings, SERVICE)
