from hearth_shared.api import serve

from .app import SERVICE, create_app
from .settings import MailSettings

settings = MailSettings()
serve(create_app(settings), settings, SERVICE)
