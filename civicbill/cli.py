"""The ``civicbill`` console script: Django's management commands with civicbill's settings.

``civicbill migrate``, ``civicbill runserver``, ``civicbill check-books`` ... work from any
directory because the settings module is set here rather than by a ``manage.py`` beside the code.
Commands whose names use dashes (``check-books``) map to modules with underscores, and
two-word commands (``civicbill account search``) map to ``account`` with a sub-command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and "-" in args[1] and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018  (loads the settings: a missing secret is one line, not a traceback)
    except ImproperlyConfigured as error:
        sys.exit(f"civicbill: {error}")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
