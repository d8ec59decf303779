"""Sign-in (throttled), sign-out and the user's own API tokens."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from envgov.apps.accounts import throttle
from envgov.apps.accounts.models import ApiToken
from envgov.apps.accounts.scope import scoped


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


class ThrottledLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        username = request.POST.get("username", "")
        if throttle.is_locked(username, client_address(request)):
            form = self.get_form()
            form.errors.clear()
            return self.render_to_response(
                self.get_context_data(form=form, locked=True), status=429
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):  # noqa: ANN001
        throttle.record_failure(self.request.POST.get("username", ""), client_address(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):  # noqa: ANN001
        throttle.clear(form.get_user().username, client_address(self.request))
        return super().form_valid(form)


login_view = scoped("public")(ThrottledLoginView.as_view())
logout_view = scoped("public")(auth_views.LogoutView.as_view())


@scoped("any_user")
def tokens(request: HttpRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip() or "API"
        _, new_key = ApiToken.issue(request.user, name[:80])
        messages.success(request, gettext("令牌已生成，只显示这一次，请妥善保存"))
    items = request.user.api_tokens.filter(revoked=False).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"tokens": items, "new_key": new_key})


@scoped("any_user")
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=token_id)  # someone else's token: 404, like any scope
    request.user.api_tokens.filter(pk=token.pk).update(revoked=True)
    return redirect("tokens")


@scoped("any_user")
def password_change(request: HttpRequest) -> HttpResponse:
    """The signed-in user sets their own password; required after an administrator's reset."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm
    from django.core.exceptions import ValidationError

    from envgov.apps.accounts import actions

    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_own_password(request.user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc.messages)
        else:
            update_session_auth_hash(request, request.user)  # stay signed in on this device
            messages.success(request, gettext("密码已修改"))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})
