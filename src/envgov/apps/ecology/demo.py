"""Demo district ecology, carbon and soil (模拟数据, decision 0036): 通州's EI component indices, CO2 and
GDP 2020–2024 and its soil ledgers 2023–2024, all SIMULATED (no value describes the real district), entered
through the same actions a coordinator uses, so the page and the plan's targets show the engines' figures.

The demo plan (seed 003) states the two soil targets only in its task text (净土: 受污染耕地安全利用率稳定达到
100%；重点建设用地安全利用率达到100%…), and has no EI target; the demo adds these as targets: the two soil ones
with the plan's own words, and an EI target 保“良” (EI ≥ 55, the 良 boundary of HJ 192-2015) marked 模拟数据
since 通州's 2024 plan does not name one (seed 002's wording 生态环境状况指数保“良”创“优”).

Chosen so that every status shows: carbon 达标 (−15.57 % against 2020), EI 预警 (良, but 略微变差 on 2023),
farmland 预警 (99.02 % on 16 September, target 100 %), construction land 达标 (11 of 11 plots).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from envgov.apps.geo.models import District

SOURCE = "模拟数据（演示）"
EI = {  # year → (生物丰度, 植被覆盖, 水网密度, 土地胁迫, 污染负荷)
    2020: (38.2, 62.5, 40.1, 28.4, 3.6),
    2021: (39.0, 63.1, 41.3, 28.0, 3.2),
    2022: (40.6, 64.8, 42.0, 27.5, 2.9),
    2023: (42.1, 66.0, 43.5, 27.1, 2.6),
    2024: (40.3, 64.9, 41.2, 27.3, 2.7),
}
CARBON = {  # year → (CO2 t, GDP 10⁴ yuan at 2020 prices)
    2020: (4_150_000, 11_000_000), 2021: (4_230_000, 11_800_000), 2022: (4_180_000, 12_100_000),
    2023: (4_260_000, 12_900_000), 2024: (4_300_000, 13_500_000),
}
FARMLAND = {  # year → (as of, B, C, D, E) in 亩
    2023: (dt.date(2023, 12, 31), 1180, 870, 0, 2050),
    2024: (dt.date(2024, 9, 16), 1200, 830, 0, 2050),
}
CONSTRUCTION = {2023: (dt.date(2023, 12, 31), 14, 14), 2024: (dt.date(2024, 9, 16), 11, 11)}
BASIS = "当年用途变更为住宅、公共管理与公共服务用地的地块中，依法完成调查评估并落实管控修复后开发利用的地块数 ÷ 当年再开发利用地块数（演示口径）"
# (indicator code, area code, area name, value, text, simulated)
TARGETS = (
    ("farmland_safe_use_rate", "soil", "净土", 100, "受污染耕地安全利用率稳定达到100%（计划任务原文）", False),
    ("land_safe_use_rate", "soil", "净土", 100,
     "重点建设用地安全利用率达到100%，或者达到95%以上且当年依法处罚、整改到位（计划任务原文）", False),
    ("ei", "ecology", "生态保护", 55, "（模拟数据）生态环境状况指数保“良”创“优”（EI ≥ 55 即“良”）：通州区2024年计划未列此项，"
     "演示取其他区计划的提法", True),
)


def _targets(district: District) -> None:
    from envgov.apps.audit import log as audit
    from envgov.apps.plans.models import Area, Indicator, Plan, Target

    plan = Plan.objects.filter(district=district).order_by("-year", "pk").first()
    if plan is None:
        return
    for code, area_code, area_name, value, text, simulated in TARGETS:
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None or plan.targets.filter(indicator=indicator).exists():
            continue
        area = plan.areas.filter(code=area_code).first() or Area.objects.create(
            plan=plan, code=area_code, name=area_name, order=[c for c, _ in Area.STANDARD].index(area_code))
        target = Target.objects.create(plan=plan, area=area, indicator=indicator, comparator=">=", value=Decimal(value),
                                       unit=indicator.unit, period_label="全年", text=text)
        audit.record(actor=None, action="create", obj=target, plan=plan,
                     after=audit.snapshot(target, ["indicator", "comparator", "value", "text"]),
                     note="模拟数据：演示补录目标" if simulated else "演示：按计划任务原文补录为目标指标")


def load(district: District, acting_user=None) -> None:  # noqa: ANN001
    """Enter the simulated figures (through the actions, audited) and add the demo targets."""
    from envgov.apps.ecology import actions
    from envgov.apps.ecology.services import refresh_targets

    _targets(district)
    for year, values in EI.items():
        data = dict(zip(actions.COMPONENT_KEYS, values, strict=True))
        actions.save_indices(district, acting_user=acting_user, year=year, data={**data, "source": SOURCE},
                             is_simulated=True)
    actions.set_carbon_base_year(district, acting_user=acting_user, base_year=2020)
    for year, (co2, gdp) in CARBON.items():
        actions.save_carbon_year(district, acting_user=acting_user, year=year, co2=co2, gdp=gdp, source=SOURCE,
                                 is_simulated=True)
    for year, (as_of, b, c, d, e) in FARMLAND.items():
        actions.save_farmland(district, acting_user=acting_user, year=year, as_of=as_of, b=b, c=c, d=d, e=e,
                              source=SOURCE, is_simulated=True)
    for year, (as_of, safe, reused) in CONSTRUCTION.items():
        actions.save_construction(district, acting_user=acting_user, year=year, as_of=as_of, safe_plots=safe,
                                  reused_plots=reused, basis=BASIS, source=SOURCE, is_simulated=True)
    refresh_targets(district)
