"""API tokens for scripts using the JSON API.

``civicbill api-token USERNAME [--name NAME] [--expires-days D]``: make one (printed once);
``civicbill api-token --list [USERNAME]``: list tokens (never the token itself);
``civicbill api-token --revoke ID|PREFIX``: revoke one at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from civicbill.core import clock
from civicbill.core.accounts import api_token_create, api_token_find, api_token_revoke, api_tokens_of
from civicbill.core.commands import CivicbillCommand


class Command(CivicbillCommand):
    help = "Create (printed once), list or revoke API tokens of staff users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="whose token to make (or list)")
        parser.add_argument("--name", default="script", help="what the token is for")
        parser.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help=f"days the token is valid (default {settings.CIVICBILL_API_TOKEN_DAYS}, "
            f"at most {settings.CIVICBILL_API_TOKEN_MAX_DAYS})",
        )
        parser.add_argument(
            "--revoke", metavar="ID|PREFIX", help="revoke this token (its id or first 8 characters)"
        )
        parser.add_argument("--list", action="store_true", help="list tokens (of USERNAME, or everyone's)")

    def run(self, options: dict[str, Any]) -> None:
        if options["revoke"]:
            self._revoke(options["revoke"])
        elif options["list"]:
            self._list(options["username"])
        elif options["username"]:
            self._create(options)
        else:
            raise CommandError("Give a user name to make a token, or --revoke ID|PREFIX, or --list")

    def _create(self, options: dict[str, Any]) -> None:
        user = self.user_named(options["username"])
        _, plain = api_token_create(
            user=user, name=options["name"], expires_days=options["expires_days"], actor=user, at=clock.now()
        )
        self.stdout.write(plain)

    def _revoke(self, reference: str) -> None:
        token = api_token_find(reference)
        # the server's operator acts for the owner, as when the CLI makes a token
        api_token_revoke(token=token, actor=token.user, at=clock.now())
        self.stdout.write(
            f"Revoked token #{token.pk} {token.token_prefix}… ({token.name}) of {token.user.username}"
        )

    def _list(self, username: str | None) -> None:
        now = clock.now()
        for token in api_tokens_of(self.user_named(username) if username else None):
            if token.revoked_at:
                state = f"revoked {token.revoked_at:%Y-%m-%d}"
            elif token.expires_at and token.expires_at <= now:
                state = f"expired {token.expires_at:%Y-%m-%d}"
            else:
                state = f"valid until {token.expires_at:%Y-%m-%d}" if token.expires_at else "valid, no expiry"
            self.stdout.write(
                f"#{token.pk}\t{token.token_prefix}…\t{token.user.username}\t{token.name}\t{state}"
            )
