"""403, 404, 500 and CSRF-failure pages: Chinese (or the page language), in the site's layout.

The 500 page is rendered from the template alone — no request context, so no session, user or database
query: it must show even when the database is what failed.
"""
from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

CJK = re.compile(r"[\u3400-\u9fff]")


def _reason(exception) -> str:  # noqa: ANN001
    """The refusal's own sentence when it is one written for people (ours are Chinese); never an internal
    English message or a code."""
    text = str(exception or "").strip()
    return text if CJK.search(text) and not re.search(r"[A-Za-z_]{3,}", text) else ""


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:  # noqa: ANN001
    return HttpResponse(loader.render_to_string("403.html", {"reason": _reason(exception)}, request), status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:  # noqa: ANN001
    return HttpResponse(loader.render_to_string("404.html", {}, request), status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(loader.get_template("500.html").render({}))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return HttpResponse(loader.render_to_string("403_csrf.html", {}, request), status=403)
