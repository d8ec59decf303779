"""After an administrator resets a password, the user chooses their own before doing anything else."""
from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

# pages a user with a password to change may still reach
_OPEN = ("password_change", "logout", "set_language")


class ForcePasswordChangeMiddleware:
    def __init__(self, get_response) -> None:  # noqa: ANN001
        self.get_response = get_response

    def __call__(self, request):  # noqa: ANN001, ANN204
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            path = request.path_info
            if not (path.startswith(("/static/", "/api/")) or path in {reverse(n) for n in _OPEN}):
                return redirect("password_change")
        return self.get_response(request)
