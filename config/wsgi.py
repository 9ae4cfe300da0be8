import os

from django.core.wsgi import get_wsgi_application

from config.env import MissingSettingError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    application = get_wsgi_application()
except MissingSettingError as error:
    raise SystemExit(f"resonanz: {error}") from None
