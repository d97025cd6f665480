"""WSGI entry point (``gunicorn civicbill.wsgi``)."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as error:  # e.g. no CIVICBILL_SECRET_KEY: say so in one line
    sys.exit(f"civicbill: {error}")
