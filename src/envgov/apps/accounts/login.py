"""The one sign-in check of /login/ and /admin/login/: throttle (envgov.apps.accounts.throttle), password,
then the second factor when the account has one. Both pages use a form built on `ThrottledLoginMixin`;
the admin site's login view is wrapped so that a throttled attempt answers 429 there too.
"""
from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from envgov.apps.accounts import throttle, totp


def throttled_message(seconds: int) -> str:
    from django.utils.translation import gettext

    minutes = (seconds + 59) // 60
    if seconds < 90:
        return gettext("登录尝试过多，请 %(n)s 秒后再试。如不是您本人所为，请联系本区系统管理员。") % {"n": seconds}
    return gettext("登录尝试过多，请 %(n)s 分钟后再试。如不是您本人所为，请联系本区系统管理员。") % {"n": minutes}


class ThrottledLoginMixin:
    """clean(): refuse while a wait is owed (code `throttled`); a wrong password — or a wrong or missing
    code of an account with a second factor — counts as a failure and gets the same message, so a guesser
    cannot tell which of the two was wrong. A correct sign-in clears the account's own counts."""

    throttled: throttle.Wait | None = None

    def _attempt_keys(self) -> tuple[str, str, bool]:
        username = self.cleaned_data.get("username") or ""
        address = throttle.client_address(self.request)
        known = bool(username) and throttle.known_username(self.request) == username.strip().lower()
        return username, address, known

    def clean(self):  # noqa: ANN201
        username, address, known = self._attempt_keys()
        if username:
            wait = throttle.wait_for(username, address, known=known)
            if wait is not None:
                self.throttled = wait
                raise ValidationError(throttled_message(wait.seconds), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            if username and any(getattr(e, "code", None) == "invalid_login" for e in exc.error_list):
                throttle.record_failure(username, address, known=known)
            raise
        user = self.get_user()
        if user is not None and user.totp_enabled_at and not totp.verify_for_login(user, cleaned.get("otp", "")):
            self.user_cache = None
            throttle.record_failure(username, address, known=known)
            raise self.get_invalid_login_error()
        if user is not None:
            throttle.clear_success(username, address)
        return cleaned


_OTP_FIELD = dict(label=_("两步验证码"), required=False, max_length=12,
                  help_text=_("已启用两步验证的账号填写验证器中的 6 位数字"),
                  widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    otp = forms.CharField(**_OTP_FIELD)


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    otp = forms.CharField(**_OTP_FIELD)


def finish(request: HttpRequest, response: HttpResponse, form) -> HttpResponse:  # noqa: ANN001
    """After a login view answered: 429 with Retry-After for a throttled attempt; after a sign-in, the
    "known browser" cookie that exempts this browser from the account-wide count."""
    wait = getattr(form, "throttled", None) if form is not None else None
    if wait is not None:
        response.status_code = 429
        response["Retry-After"] = str(wait.seconds)
    elif request.method == "POST" and request.user.is_authenticated and 300 <= response.status_code < 400:
        throttle.remember_browser(response, request.user.get_username())
    return response


def install_admin_login() -> None:
    """Route the admin site's login through the same check (called from AccountsConfig.ready)."""
    from django.contrib import admin

    site = admin.site
    if getattr(site, "_envgov_throttled", False):
        return
    original = site.login
    site.login_form = ThrottledAdminAuthenticationForm
    site.login_template = "admin/envgov_login.html"

    def login(request: HttpRequest, extra_context=None) -> HttpResponse:  # noqa: ANN001
        response = original(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        return finish(request, response, form)

    site.login = login
    site._envgov_throttled = True
