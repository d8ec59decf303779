"""Sign-in (throttled), sign-out and the user's own API tokens."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from envgov.apps.accounts.login import ThrottledAuthenticationForm, finish
from envgov.apps.accounts.models import ApiToken
from envgov.apps.accounts.scope import scoped


class ThrottledLoginView(auth_views.LoginView):
    """Sign-in with the shared check of envgov.apps.accounts.login (throttle, password, second factor)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm

    def post(self, request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        response = super().post(request, *args, **kwargs)
        form = getattr(response, "context_data", {}).get("form") if hasattr(response, "context_data") else None
        return finish(request, response, form)


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


@scoped("reviewer")
def two_factor(request: HttpRequest) -> HttpResponse:
    """两步验证 (administrators and coordinators): enrol with a secret shown as text, confirm with a code;
    or turn it off with a current code. The secret waits in the session until confirmed."""
    from django.core.exceptions import ValidationError

    from envgov.apps.accounts import actions, totp

    user = request.user
    errors: list[str] = []
    if request.method == "POST":
        op, code = request.POST.get("op"), request.POST.get("code", "")
        try:
            if op == "enable" and not user.totp_enabled_at:
                secret = request.session.get("totp_pending", "")
                if not secret:
                    raise ValidationError(gettext("请刷新页面后重试"))
                actions.enable_totp(user, secret=secret, code=code)
                request.session.pop("totp_pending", None)
                messages.success(request, gettext("两步验证已启用，今后登录时须填写验证码"))
                return redirect("two_factor")
            if op == "disable" and user.totp_enabled_at:
                actions.disable_totp(user, code=code)
                messages.success(request, gettext("两步验证已关闭"))
                return redirect("two_factor")
        except ValidationError as exc:
            errors = exc.messages
        user.refresh_from_db()
    secret = uri = ""
    if not user.totp_enabled_at:
        secret = request.session.get("totp_pending") or totp.new_secret()
        request.session["totp_pending"] = secret
        uri = totp.otpauth_uri(secret, user.username)
    response = render(request, "accounts/two_factor.html", {
        "enabled": bool(user.totp_enabled_at), "secret": secret, "uri": uri, "errors": errors,
        "grouped": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))})
    response["Cache-Control"] = "no-store"
    return response
