from hearth_shared.api import serve

from .app import SERVICE, create_app
from .settings import CreditsSettings

settings = CreditsSettings()
serve(create_app(settings), settings, SERVICE)
