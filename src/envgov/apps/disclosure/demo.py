"""Demo 信息公开 (模拟数据): two drinking-water safety entries of the demo district, one published, one a draft
the public page must not show. Texts are 示意 and describe no real water supply."""
from __future__ import annotations

import datetime as dt

ENTRIES = (
    ("（模拟数据）2024年第二季度集中式饮用水水源水质状况",
     "（模拟数据，示意）此处发布本季度集中式饮用水水源地的监测点位、监测项目、评价标准与评价结果。"
     "本条为演示文本，不代表真实监测结果。", dt.date(2024, 7, 15), True),
    ("（模拟数据）2024年第三季度集中式饮用水水源水质状况（草稿）",
     "（模拟数据，示意）待三季度监测结果汇总后发布。", dt.date(2024, 9, 16), False),
)


def load(district, acting_user=None) -> int:  # noqa: ANN001
    from envgov.apps.disclosure import actions
    from envgov.apps.disclosure.models import DrinkingWaterNotice

    if DrinkingWaterNotice.objects.filter(district=district).exists():
        return 0
    for title, body, day, published in ENTRIES:
        actions.create_notice(district, acting_user=acting_user, is_simulated=True,
                              data={"title": title, "body": body, "published_on": day, "published": published})
    return len(ENTRIES)
