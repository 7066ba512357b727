from hearth_shared.api import serve

from .app import create_app
from .events import SERVICE
from .settings import RegistrationSettings

settings = RegistrationSettings()
serve(create_app(settings), settings, SERVICE)
