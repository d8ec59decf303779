"""Authentication backend that loads a signed-in user together with their district, unit and town:
every page shows and checks that scope, so fetching it with the user saves a query or three per request."""
from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from envgov.apps.accounts.models import User


class ScopedModelBackend(ModelBackend):
    def get_user(self, user_id):  # noqa: ANN001, ANN201
        try:
            user = User._default_manager.select_related("district", "unit", "town").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
