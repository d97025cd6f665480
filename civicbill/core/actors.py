"""Who does something: the type of the ``actor`` every service takes, and the user a row records.

An actor is what the edges hand a service: ``request.user`` on the pages and the API (typed by
django-stubs as ``User | AnonymousUser``: sign-in is required everywhere, but the type cannot know),
the ``--user`` of a command, the system user of a background task. A service checks the actor's
permission first (:func:`civicbill.core.permissions.require_permission` refuses an anonymous
user); where a row records who did something (``created_by``, ``posted_by_id`` ...) the service
writes :func:`acting_user`, which narrows the type to ``User`` and refuses an anonymous user again
rather than record nobody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from civicbill.core.exceptions import PermissionDeniedError

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = "User | AnonymousUser"


def acting_user(actor: Actor) -> User:
    """``actor`` as the signed-in user a row records; an anonymous actor is refused."""
    if not actor.is_authenticated:
        raise PermissionDeniedError("an anonymous user may not change anything")
    return actor
