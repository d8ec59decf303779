"""Station-centred key areas (重点区域精细化管控): the area rule and the measures each zone requires.

Source: 通州区 2024 年大气污染防治行动计划, task 21 (../shared/seeds/003): "以国市控空气质量监测站为中心，直径约
1.5公里范围划定为重点区域 … 划分为严控区 … 按月动态更新重点区域内污染源台账并测算排放量，评估减排空间", and the
construction-site measures that follow it (住房城乡建设委牵头). The diameter is the plan's ("约", so the district may
set another); the measures are the plan's words, each with the zone where it is required and where only urged.
Emission factors and the reduction each measure brings are not given by the plan or the reference: they are
user-set per district, with no default (envgov never invents them).
"""
from __future__ import annotations

from dataclasses import dataclass

from envgov.catalogue import gettext_noop

RULE_ID = "tongzhou-2024-task21"
CITATION = gettext_noop("通州区2024年大气污染防治行动计划 任务21“重点区域精细化管控”")
DEFAULT_DIAMETER_M = 1500.0  # 直径约1.5公里
STATION_KINDS = ("national", "city")  # 国市控空气质量监测站

STRICT, AREA = "strict", "area"  # 严控区 inside the key area; the rest of the key area
ZONE_LABELS = {STRICT: gettext_noop("严控区"), AREA: gettext_noop("重点区域（严控区外）")}
REQUIRED, URGED = "required", "urged"
STRENGTH_LABELS = {REQUIRED: gettext_noop("必须"), URGED: gettext_noop("力争/推广")}


@dataclass(frozen=True)
class SiteMeasure:
    code: str
    text: str  # the plan's words, short
    strength: dict[str, str]  # zone → REQUIRED / URGED; a zone not named does not carry the measure


SITE_MEASURES: tuple[SiteMeasure, ...] = (
    SiteMeasure("fence_4_2", gettext_noop("加装4米（常规）+2米（柔性）围挡"), {STRICT: REQUIRED, AREA: URGED}),
    SiteMeasure("spray_full", gettext_noop("围挡安装最大负荷环场喷淋并常态化开启"), {STRICT: REQUIRED, AREA: URGED}),
    SiteMeasure("dust_new", gettext_noop("采取新型高效抑尘措施（防尘天幕、抑尘剂、除尘车等）"), {STRICT: REQUIRED, AREA: REQUIRED}),
    SiteMeasure("episode_self_cut", gettext_noop("污染过程、重大活动保障期间最大程度自主减排"), {STRICT: REQUIRED, AREA: REQUIRED}),
    SiteMeasure("clean_machinery", gettext_noop("优先使用新能源或国四非道路移动机械、新能源或国六货运车辆、渣土车、混凝土搅拌车"),
                {STRICT: URGED, AREA: URGED}),
)


def zone_of(in_area: bool, in_strict: bool) -> str | None:
    """The zone of a place: 严控区 wins (a strict zone drawn past the key area's edge still binds)."""
    if in_strict:
        return STRICT
    return AREA if in_area else None


def measures_for(zone: str | None) -> list[tuple[SiteMeasure, str]]:
    """The site measures a construction site in `zone` carries, with their strength."""
    if zone is None:
        return []
    return [(m, m.strength[zone]) for m in SITE_MEASURES if zone in m.strength]


MSG_NO_ACTIVITY = gettext_noop("缺活动水平")
MSG_NO_FACTOR = gettext_noop("排放系数未设置")
MSG_ESTIMATE = gettext_noop("%(activity)s × %(factor)s = %(emission)s 吨；未落实措施可再减 %(space)s 吨")


@dataclass(frozen=True)
class Estimate:
    emission_t: float | None  # estimated monthly emission, tonnes; None when the factor is not set
    reduction_space_t: float | None  # what the measures not yet in place would still cut
    reason: str  # msgid template (translated by the web layer) …
    values: dict[str, str]  # … and its values


def estimate(activity: float | None, factor: float | None, open_cuts: list[float]) -> Estimate:
    """Emission = activity × factor (both user-set or ledger facts); reduction space = emission × (1 − Π(1 − r))
    over the reduction shares r of the measures still missing (shares user-set, 0 ≤ r ≤ 1)."""
    if activity is None:
        return Estimate(None, None, MSG_NO_ACTIVITY, {})
    if factor is None:
        return Estimate(None, None, MSG_NO_FACTOR, {})
    if activity < 0 or factor < 0 or any(not 0 <= r <= 1 for r in open_cuts):
        raise ValueError("activity, factor and reduction shares must be non-negative (shares at most 1)")
    emission = activity * factor
    kept = 1.0
    for r in open_cuts:
        kept *= 1 - r
    space = emission * (1 - kept)
    return Estimate(emission, space, MSG_ESTIMATE, {"activity": f"{activity:g}", "factor": f"{factor:g}",
                                                   "emission": f"{emission:.4g}", "space": f"{space:.4g}"})
