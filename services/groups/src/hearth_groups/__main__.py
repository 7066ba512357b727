from hearth_shared.api import serve

from .app import SERVICE, Settings, create_app

settings = Settings()
serve(create_app(settings), settings, SERVICE)
