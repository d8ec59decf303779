"""Write conflicts between simultaneous requests answer 409 with a message to retry, never a 500.

What counts as a conflict (the request was right, it only collided with another one, and sending it again
will work): SQLite's "database is locked" (the busy timeout ran out), PostgreSQL's serialization failure,
deadlock and lock-not-available, and a unique constraint broken by a race (two requests creating the same
row). Every other database error stays a 500: it is a fault, and hiding it would lie.

Pages: `ConflictMiddleware` shows the site's error layout (409.html). API: `envgov.web.api` registers
`api_conflict` for django.db.DatabaseError. Stale edits (the version compare-and-set of the actions) are
409 already, as their own message.
"""
from __future__ import annotations

import logging

from django.db import DatabaseError, IntegrityError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger("envgov.conflicts")

# PostgreSQL SQLSTATE codes of a collision that a retry resolves
PG_RETRY_STATES = {"40001": "serialization_failure", "40P01": "deadlock_detected", "55P03": "lock_not_available"}
PG_UNIQUE_VIOLATION = "23505"
SQLITE_BUSY_TEXTS = ("database is locked", "database table is locked")


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__ or exc
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def is_conflict(exc: BaseException) -> bool:
    """True for a database error that only says another request got there first (see the module text)."""
    if not isinstance(exc, DatabaseError):
        return False
    state = _sqlstate(exc)
    text = str(exc.__cause__ or exc).lower()
    if isinstance(exc, IntegrityError):
        return state == PG_UNIQUE_VIOLATION or text.startswith("unique constraint failed")
    if isinstance(exc, OperationalError):
        return state in PG_RETRY_STATES or any(t in text for t in SQLITE_BUSY_TEXTS)
    return state in PG_RETRY_STATES


def retry_message() -> str:
    return _("您的操作与他人的操作同时进行，本次未能保存。请稍候片刻后重新提交。")


def _log(request: HttpRequest, exc: BaseException) -> None:
    log.warning("write conflict on %s %s: %s", request.method, request.path, exc)


def page_response(request: HttpRequest) -> HttpResponse:
    """The 409 page in the site's layout; without the request context if that cannot be built (the page
    must show even while the database is busy)."""
    try:
        body = loader.render_to_string("409.html", {"reason": retry_message()}, request)
    except Exception:  # noqa: BLE001 - a context processor that needs the database: show the bare page
        body = loader.get_template("409.html").render({"reason": retry_message()})
    return HttpResponse(body, status=409)


class ConflictMiddleware:
    """A write conflict that remains after the busy timeout becomes the 409 page (pages only: the API has
    its own JSON handler, and ninja answers before this middleware sees the exception)."""

    def __init__(self, get_response):  # noqa: ANN001
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_conflict(exception):
            return None
        _log(request, exception)
        return page_response(request)


def api_conflict(api, request: HttpRequest, exc: DatabaseError) -> HttpResponse:  # noqa: ANN001
    """The API's answer to a database error: 409 with the retry message for a conflict; anything else is
    re-raised (a 500, logged as a fault)."""
    if not is_conflict(exc):
        raise exc
    _log(request, exc)
    return api.create_response(request, {"detail": retry_message()}, status=409)
