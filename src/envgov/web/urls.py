"""URL map. Every view carries a scope rule (see envgov.apps.accounts.scope); the role-matrix test checks it."""
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from envgov.apps.accounts import views as account_views
from envgov.apps.accounts.scope import scoped
from envgov.apps.plans import views as plan_views

urlpatterns = [
    path("", plan_views.home, name="home"),
    path("health", plan_views.health, name="health"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("i18n/setlang/", scoped("public")(set_language), name="set_language"),
    path("account/tokens/", account_views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", account_views.revoke_token, name="revoke_token"),
    path("account/password/", account_views.password_change, name="password_change"),
    path("account/two-factor/", account_views.two_factor, name="two_factor"),
    path("manage/", include("envgov.apps.accounts.urls_manage")),
    path("api/", include("envgov.web.api")),
    path("", include("envgov.apps.audit.urls")),
    path("", include("envgov.apps.plans.urls")),
    path("", include("envgov.apps.supervision.urls")),
    path("", include("envgov.apps.circulars.urls")),
    path("monitoring/", include("envgov.apps.air.urls")),
    path("water/", include("envgov.apps.water.urls")),
    path("emergency/", include("envgov.apps.emergency.urls")),
    path("online/", include("envgov.apps.online.urls")),
    path("noise/", include("envgov.apps.noise.urls")),
    path("disclosure/", include("envgov.apps.disclosure.urls")),
    path("ecology/", include("envgov.apps.ecology.urls")),
    path("complaints/", include("envgov.apps.complaints.urls")),
    path("notices/", include("envgov.apps.notices.urls")),
    path("", include("envgov.apps.dashboard.urls")),
    path("outlook/", include("envgov.apps.outlook.urls")),
    path("rankings/", include("envgov.apps.rankings.urls")),
    path("sources/", include("envgov.apps.sources.urls")),
    path("projects/", include("envgov.apps.projects.urls")),
    path("keyareas/", include("envgov.apps.keyareas.urls")),
    path("admin/", admin.site.urls),
]
handler403 = "envgov.web.errors.permission_denied"
handler404 = "envgov.web.errors.page_not_found"
handler500 = "envgov.web.errors.server_error"
# Uploaded files are never served as open media: attachments and evidence go through scoped downloads.
