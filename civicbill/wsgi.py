"""WSGI entry point (``gunicorn civicbill.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
application = get_wsgi_application()
