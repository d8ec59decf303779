"""The demo district's 通报 (模拟数据): its 发文机关 and the 文号 prefix 通环 (the example of the issue; a real
bureau sets its own code), July's monthly circular published early in August, and August's left as the
draft the daily check makes on the first of September, for a coordinator to review and publish."""
from __future__ import annotations

import datetime as dt

from django.test import override_settings

from envgov.apps.circulars import actions
from envgov.apps.circulars.models import CircularSettings


def load(district, coordinator, as_of: dt.date) -> None:  # noqa: ANN001
    if CircularSettings.objects.filter(district=district).exists():
        return
    setting = CircularSettings.objects.create(district=district)
    actions.save_settings(district, acting_user=coordinator, organ="北京市通州区生态环境局", number_prefix="通环",
                          recipients="", expected_version=setting.version)
    with override_settings(ENVGOV_TODAY="2024-08-05"):
        made = actions.generate(district, "2024-07", acting_user=coordinator)
        actions.publish(made.circular, acting_user=coordinator, expected_version=made.circular.version)
    first = dt.date(as_of.year, as_of.month, 1)
    with override_settings(ENVGOV_TODAY=first.isoformat()):  # as the daily check would, even without data
        actions.generate(district, actions.services.previous_month(first), acting_user=None)
