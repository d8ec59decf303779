"""The JSON API (django-ninja), mounted at /api/ with OpenAPI docs at /api/docs.

Two ways in: `Authorization: Bearer <key>` for API clients (accounts.ApiToken, only the key's SHA-256
is stored; revoked tokens are refused) and the browser session for pages (with CSRF on writes).
Every operation carries a scope rule (`api_scoped`); `iter_api_operations()` lists them for the
role-matrix test. Errors map to HTTP statuses with the Chinese message of the action that refused.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import ninja.errors
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from envgov.apps.accounts import throttle
from envgov.apps.accounts.models import ApiToken
from envgov.apps.accounts.scope import scoped
from envgov.apps.complaints.api import router as complaints_router
from envgov.apps.plans import actions
from envgov.apps.noise.api import router as noise_router
from envgov.apps.plans.api import router as plans_router
from envgov.apps.projects.api import router as projects_router
from envgov.apps.rankings.api import router as rankings_router
from envgov.apps.supervision.api import router as supervision_router
from envgov.apps.water.api import router as water_router
from envgov.apps.emergency.api import router as emergency_router
from envgov.apps.online.api import router as online_router
from envgov.apps.ecology.api import router as ecology_router
from envgov.apps.sources.api import router as sources_router
from envgov.apps.keyareas.api import router as keyareas_router
from envgov.web import conflicts


class BearerToken(HttpBearer):
    """API token auth. A presented but unknown or revoked key is a 401 at once (no fall-through to the
    session), so a client with a bad key never sees a confusing CSRF error."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        key = (token or "").strip()
        if not key:
            raise AuthenticationError()
        address = throttle.client_address(request)
        wait = throttle.wait_for("", address, token=True)  # the sign-in throttle, for bad tokens
        if wait is not None:
            raise ninja.errors.Throttled(wait=wait.seconds)
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(key), revoked=False, user__is_active=True)
            .first()
        )
        if found is None:
            throttle.record_failure("", address, token=True)
            raise AuthenticationError(message="令牌无效或已吊销")
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user  # the scope querysets and actions read request.user
        return found.user


api = NinjaAPI(
    title="envgov API",
    version="1",
    description="区生态环境保护工作计划台账：计划、目标、任务、进展、督办。"
    "认证：`Authorization: Bearer <令牌>`（在“API 令牌”页面生成），或浏览器登录会话（写操作需 CSRF）。",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    docs_decorator=scoped("any_user"),
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    body: dict[str, Any] = {"detail": actions.error_text(exc)}
    if hasattr(exc, "message_dict"):
        body["fields"] = exc.message_dict
    return api.create_response(request, body, status=422)


PYDANTIC_ZH = {  # the usual input errors, in the user's language; anything else keeps pydantic's text
    "missing": "缺少必填项", "int_parsing": "应为整数", "int_type": "应为整数", "decimal_parsing": "应为数字",
    "decimal_type": "应为数字", "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "literal_error": "取值无效", "string_type": "应为文本", "dict_type": "应为对象", "json_invalid": "JSON 格式错误",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD", "date_parsing": "日期格式应为 YYYY-MM-DD",
    "finite_number": "应为有限的数字", "string_unicode": "含有无法保存的字符", "int_from_float": "应为整数",
    "decimal_max_digits": "数字位数过多", "decimal_max_places": "小数位数过多", "decimal_whole_digits": "整数位数过多",
}


def _reason(err: dict) -> str:
    """One input error in words: a bounds refusal (envgov.rules.bounds) in the page language, the usual
    pydantic errors in Chinese, anything else in pydantic's own text."""
    if err.get("type") == "out_of_bounds" and isinstance(err.get("ctx"), dict):
        values = dict(err["ctx"]["values"])
        values["field"] = gettext(values.get("field", ""))  # the API's field labels are msgids too
        return gettext(err["ctx"]["template"]) % values
    return PYDANTIC_ZH.get(err.get("type", ""), err.get("msg", "无效"))


@api.exception_handler(ninja.errors.ValidationError)
def _input_error(request: HttpRequest, exc: ninja.errors.ValidationError) -> HttpResponse:
    """Malformed input (before any action ran): located like the file importers — where, and why."""
    parts = []
    for err in exc.errors:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "payload")]
        where = {"query": "查询参数", "path": "路径参数"}.get(loc[0], "") if loc else ""
        name = ".".join(loc[1:] if where else loc) or "请求体"
        parts.append(f"{where}「{name}」：{_reason(err)}")
    return api.create_response(request, {"detail": "；".join(parts) or "请求格式错误", "errors": exc.errors},
                               status=422)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "您没有权限执行此操作"}, status=403)


@api.exception_handler(actions.StaleEdit)
def _stale_edit(request: HttpRequest, exc: actions.StaleEdit) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(DatabaseError)
def _database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """A write that collided with a simultaneous one: 409, retry (envgov.web.conflicts); other faults stay 500."""
    return conflicts.api_conflict(api, request, exc)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body without Content-Length that grew past the limit while the operation read it."""
    from envgov.web.uploads import too_large

    return too_large(request)


@api.exception_handler(ninja.errors.Throttled)
def _throttled(request: HttpRequest, exc: ninja.errors.Throttled) -> HttpResponse:
    from envgov.apps.accounts.login import throttled_message

    wait = int(exc.wait or 60)
    response = api.create_response(request, {"detail": throttled_message(wait)}, status=429)
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = str(exc)
    if message == "Unauthorized":  # ninja's default text when no credentials were presented
        message = "请登录或提供有效的 API 令牌"
    return api.create_response(request, {"detail": message}, status=401)


api.add_router("", plans_router)
api.add_router("", supervision_router)
api.add_router("", water_router)
api.add_router("", online_router)
api.add_router("", ecology_router)
api.add_router("", complaints_router)
api.add_router("", rankings_router)
api.add_router("", noise_router)
api.add_router("", sources_router)
api.add_router("", projects_router)
api.add_router("", emergency_router)
api.add_router("", keyareas_router)

def iter_api_operations() -> Iterator[tuple[list[str], str, Any]]:
    """(methods, full path with {param} placeholders, view function) for every API operation."""
    for prefix, router in api._routers:  # ninja keeps (prefix, router) of every mounted router
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = "/api/" + "/".join(p.strip("/") for p in (prefix, route) if p.strip("/"))
                yield list(operation.methods), full, operation.view_func


def _label_patterns(patterns: list) -> list:
    """Give ninja's URL patterns the rules of their operations, so a walk of the URL resolver sees a rule
    on every route: one dispatcher per path serves several methods → `scope_rules` {method: rule}."""
    rules: dict[str, dict[str, str | None]] = {}
    for methods, full, view in iter_api_operations():
        for method in methods:
            rules.setdefault(full, {})[method] = getattr(view, "scope_rule", None)
    for pattern in patterns:
        if pattern.name == "api-root":  # ninja's root only exists so it can reverse its base path: always 404
            pattern.callback.scope_rule = "public"
            continue
        if getattr(pattern.callback, "scope_rule", None):  # the docs, through docs_decorator
            continue
        full = "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        if full in rules:
            pattern.callback.scope_rules = rules[full]
    return patterns


_patterns, _app, _namespace = api.urls
# included from web/urls.py as path("api/", include("envgov.web.api"))
urlpatterns = [path("", (_label_patterns(_patterns), _app, _namespace))]
