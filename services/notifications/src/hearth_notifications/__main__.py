from hearth_shared.api import serve

from .app import SERVICE, create_app
from .settings import NotificationsSettings

settings = NotificationsSettings()
serve(create_app(settings), settings, SERVICE)
