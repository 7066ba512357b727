from hearth_shared.api import serve

from .app import SERVICE, create_app
from .settings import RegistrationSettings

settings = RegistrationSettings()
serve(create_app(settings), settings, SERVICE)
