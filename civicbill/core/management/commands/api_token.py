"""``civicbill api-token USERNAME --name NAME``: make a bearer token for scripts using the JSON API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicbill.core.accounts import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a staff user; the token is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="script", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['username']!r}")
        _, plain = api_token_create(user=user, name=options["name"], actor=user)
        self.stdout.write(plain)
