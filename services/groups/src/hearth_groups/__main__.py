from hearth_shared.api import serve

from .app import create_app
from .events import SERVICE
from .settings import GroupsSettings

settings = GroupsSettings()
serve(create_app(settings), settings, SERVICE)
