"""达标研判 services: the projection of a plan target (`projection`) and its town decomposition
(`town_targets`, `decompose`). Computation is envgov.engine.projection's; this module reads the engine's
figures stored with the target (Target.actual_value / actual_basis, written by
monitoring.services.refresh_air_targets) and earlier years' materialised daily values
(monitoring.AirDaily, district set), and says in Chinese what it did.

Public interface (used by the dashboard): `projection(target) -> Projection`, `town_targets(target)`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.audit import log as audit
from envgov.apps.outlook import permissions
from envgov.apps.outlook.models import OutlookSetting, TownTarget
from envgov.apps.plans.models import Target
from envgov.engine import projection as engine
from envgov.rules import projection as rules
from envgov.standards import air as std


@dataclass
class Projection:
    """The projection of one target, ready for pages and JSON (`as_dict`)."""

    target_id: int
    indicator: str  # name
    code: str
    comparator: str
    target_value: float
    unit: str
    applicable: bool  # a cumulative target the engine can project
    status: str  # met / warn / not_met / unknown (rules.projection); "" when not applicable
    status_label: str  # 达标 / 预警 / 未达标 / 无法研判, translated
    reason: str  # why that status, translated
    kind: str | None = None  # mean / ratio / count
    actual_value: float | None = None  # the engine's reported figure so far (Target.actual_value)
    actual_unrounded: float | None = None
    valid_days: int | None = None  # valid daily values (mean) or valid days (ratio, count) so far
    as_of: dt.date | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    days_remaining: int | None = None
    over: bool = False
    reachable: bool | None = None
    threshold: float | int | None = None  # what the rest may average / good days needed / heavy days left
    threshold_text: str = ""  # the threshold as shown (a mean: 2 decimals towards the safe side)
    strict: bool = False  # remaining mean must stay strictly below `threshold`
    plain_threshold: float | int | None = None  # plain arithmetic, without the rounding of the judged value
    plain_text: str = ""
    boundary: float | None = None  # the judged statistic's boundary (35.5 for an integer target 35)
    boundary_inclusive: bool = False
    rounding: str = ""  # the rounding rule applied and its digits
    rounding_digits: int | None = None
    rounding_user_set: bool = False
    why: str = ""  # the threshold explained (why it differs from plain arithmetic)
    probability: float | None = None
    probability_note: str = ""
    exact: bool = False
    years: tuple[int, ...] = ()
    draws: int = 0
    seed: int = 0
    block_days: int = 0
    coverage: float | None = None
    method: str = ""  # the probability method explained, translated
    warn_probability: float = rules.WARN_PROBABILITY.default
    warn_probability_user_set: bool = False
    rule: str = rules.RULE.label
    assumption: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def target_text(self) -> str:
        return plain_number(self.target_value)

    @property
    def actual_text(self) -> str:
        return plain_number(self.actual_value)

    @property
    def probability_text(self) -> str:
        p = self.probability
        if p is None:
            return "—"
        if 0 < p < 0.0005:  # not 0: some resampled outcome met the target
            return "< 0.1%"
        if 0.9995 <= p < 1:
            return "> 99.9%"
        return f"{p * 100:.1f}%"

    @property
    def warn_text(self) -> str:
        return f"{self.warn_probability:.0%}"

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for k in ("as_of", "period_start", "period_end"):
            out[k] = out[k].isoformat() if out[k] else None
        out["years"] = list(self.years)
        return out


def warn_probability(district) -> tuple[float, bool, OutlookSetting | None]:  # noqa: ANN001
    """(value in force, user-set?, the record) of the district's 预警 probability."""
    row = OutlookSetting.objects.filter(district=district).select_related("set_by").first()
    if row is None:
        return rules.WARN_PROBABILITY.default, False, None
    return float(row.warn_probability), True, row


def _air_parameters(district):  # noqa: ANN001, ANN202
    from envgov.apps.air.services import air_parameters

    return air_parameters(district)


def _num(x: float | None, places: int = 2, down: bool = False, trim: bool = True) -> str:
    """A figure for a sentence: `places` decimals (towards the safe side with `down`), trailing zeros
    dropped unless `trim` is off."""
    if x is None:
        return "—"
    q = Decimal(1).scaleb(-places)
    d = Decimal(repr(float(x))).quantize(q, rounding=ROUND_FLOOR if down else ROUND_HALF_EVEN)
    if d == d.to_integral():
        return format(d.to_integral(), "f")
    return format(d.normalize(), "f") if trim else format(d, "f")


def _plain(value: Decimal) -> str:
    value = Decimal(value)
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def plain_number(x: float | None) -> str:
    """A figure as written by hand: up to 3 decimals, no trailing zeros (0.8, 0.75)."""
    return _num(x, 3)


def projection(target: Target) -> Projection:
    """What the rest of the target's period may hold and the probability of meeting it (see module)."""
    code = target.indicator.code
    base = Projection(target_id=target.pk, indicator=target.indicator.name, code=code,
                      comparator=target.comparator, target_value=float(target.value), unit=target.unit,
                      applicable=False, status="", status_label="", reason="",
                      actual_value=None if target.actual_value is None else float(target.actual_value),
                      as_of=target.actual_as_of, assumption=gettext(rules.RULE.assumption))
    district = target.plan.district
    base.warn_probability, base.warn_probability_user_set, _row = warn_probability(district)
    spec = rules.CUMULATIVE.get(code)
    if spec is None:
        base.reason = gettext(rules.NOT_PROJECTED.get(code, rules.NOT_CUMULATIVE_NOTE))
        return base
    if target.comparator not in (engine.LE, engine.GE):
        base.reason = gettext("目标的比较方式为“等于”，不做研判")
        return base
    from envgov.apps.air.services import target_period

    base.applicable, base.kind = True, spec.kind
    base.period_start, base.period_end = target_period(target)
    basis = target.actual_basis or {}
    if target.actual_as_of is None or not basis:
        base.status, base.status_label = rules.UNKNOWN, gettext(rules.STATUS_LABELS[rules.UNKNOWN])
        base.reason = gettext("尚无按标准计算的实际值：请导入监测数据，或在空气质量页面点“重新计算”")
        return base
    with std.parameters.using(_air_parameters(district)):
        judging, total, n = _judging_and_figures(target, spec, basis, base)
    m = max(0, (base.period_end - target.actual_as_of).days)
    base.days_remaining, base.valid_days = m, n
    if spec.kind == rules.MEAN:
        t = engine.mean_threshold(total, n, m, judging)
    elif spec.kind == rules.RATIO:
        t = engine.good_days_threshold(int(total), n, m, judging)
    else:
        t = engine.heavy_days_threshold(int(total), n, m, judging)
    base.over, base.reachable = t.over, t.reachable
    base.threshold, base.strict, base.plain_threshold = t.value, t.strict, t.plain
    base.boundary, base.boundary_inclusive = t.boundary, t.boundary_inclusive
    base.actual_unrounded = t.so_far
    _texts(base, t, judging, spec)
    if not t.over and t.reachable:
        history = earlier_years(target, spec, target.actual_as_of, base.period_end)
        p = engine.probability(spec.kind, judging, total, n, history, rules.RULE.resampling)
        base.probability, base.exact, base.years = p.value, p.exact, p.years
        base.draws, base.seed, base.block_days, base.coverage = p.draws, p.seed, p.block_days, p.coverage
        base.probability_note = gettext(p.note) if p.note else ""
        base.method = _method_text(p, m)
    elif not t.over:
        base.probability = 0.0
        base.probability_note = gettext("已无法达标，概率为 0")
    code_, reason, params = rules.status(over=t.over, meets_now=t.reachable if t.over else None,
                                         reachable=t.reachable, probability=base.probability,
                                         behind_pace=t.behind_pace, warn_probability=base.warn_probability)
    base.status, base.status_label = code_, gettext(rules.STATUS_LABELS[code_])
    base.reason = gettext(reason) % params if params else gettext(reason)
    return base


def _judging_and_figures(target: Target, spec: rules.Cumulative, basis: dict, out: Projection,
                         ) -> tuple[engine.Judging, float, int]:
    edition = basis.get("edition") or std.edition_for(out.period_start).key
    if spec.kind == rules.MEAN:
        rule = std.rounding_rule(edition, "report")
        digits = rule.digits.get(spec.pollutant, 0)
        out.rounding = gettext("%(source)s，修约到 %(digits)s 位小数（%(method)s）") % {
            "source": rule.source, "digits": digits, "method": gettext("GB/T 8170 四舍六入五成双")}
        out.rounding_digits = digits
        out.rounding_user_set = bool(std.parameters.changed().keys() & {"report_digits", "report_digits_co"})
        n = int((basis.get("values") or {}).get(spec.pollutant) or 0)
        mean = (basis.get("unrounded") or {}).get(spec.pollutant)
        total = 0.0 if mean is None or n == 0 else float(mean) * n
        return engine.Judging.of(target.comparator, target.value, digits, rule.source), total, n
    n = int(basis.get("valid_days") or 0)
    if spec.kind == rules.RATIO:
        out.rounding = gettext(rules.RATIO_ROUNDING_SOURCE)
        out.rounding_digits = rules.RATIO_DIGITS
        return (engine.Judging.of(target.comparator, target.value, rules.RATIO_DIGITS, rules.RATIO_ROUNDING_SOURCE),
                float(basis.get("good_days") or 0), n)
    out.rounding = gettext("天数为整数，不修约")
    return engine.Judging.of(target.comparator, target.value, None), float(basis.get("heavy_days") or 0), n


def _texts(p: Projection, t: engine.Threshold, j: engine.Judging, spec: rules.Cumulative) -> None:
    unit = p.unit
    if t.over:
        p.why = gettext("期间已结束，以按标准计算并修约后的结果判定。")
        return
    if spec.kind == rules.MEAN:
        safe_down = j.comparator == engine.LE
        p.threshold_text = _num(t.value, 2, down=safe_down, trim=False)
        p.plain_text = _num(t.plain, 2, trim=False)
        rounded_b = engine.Judging.of(j.comparator, j.target, j.digits).reported(t.boundary)
        params = {"digits": j.digits, "target": _num(float(j.target), 3), "b": _num(t.boundary, 3),
                  "rb": _num(float(rounded_b), 3), "n": t.days_so_far, "mean": _num(t.so_far, 2), "m": t.days_remaining,
                  "real": p.threshold_text, "plain": p.plain_text, "unit": unit}
        if j.comparator == engine.LE:
            head = (gettext("期间平均浓度按 GB/T 8170 修约到 %(digits)s 位小数后与目标 %(target)s 比较：平均浓度"
                            "低于 %(b)s 即达标，恰为 %(b)s 时修约为 %(rb)s，")
                    + (gettext("也达标。") if t.boundary_inclusive else gettext("不达标。")))
            body = gettext("本期至今 %(n)s 个有效日均值平均为 %(mean)s %(unit)s；假定剩余 %(m)s 天都是有效日，"
                           "剩余天数的平均浓度须%(cmp)s %(real)s %(unit)s（向安全方向取两位小数）。"
                           "不考虑修约的简单算术（期间平均恰好等于目标值）为 %(plain)s %(unit)s。")
            params["cmp"] = gettext("低于") if t.strict else gettext("不高于")
        else:
            head = gettext("期间平均浓度按 GB/T 8170 修约到 %(digits)s 位小数后与目标 %(target)s 比较。")
            body = gettext("剩余 %(m)s 天的平均浓度须高于 %(real)s %(unit)s；简单算术为 %(plain)s %(unit)s。")
        p.why = (head + body) % params
        if not t.reachable:
            p.why += gettext("所需平均浓度不是正数：剩余天数即使全部为 0 也无法达标。")
    elif spec.kind == rules.RATIO:
        p.threshold_text, p.plain_text = str(t.value), str(t.plain)
        rounded_b = engine.Judging.of(j.comparator, j.target, j.digits).reported(t.boundary)
        head = gettext("优良天数比例 = 优良天数 ÷ 有效监测天数，按百分数保留 1 位小数后与目标 %(target)s%% 比较："
                       "高于 %(b)s%% 即达标，恰为 %(b)s%% 时修约为 %(rb)s%%，") + (
            gettext("也达标。") if t.boundary_inclusive else gettext("不达标。"))
        body = gettext("本期至今有效 %(n)s 天；假定剩余 %(m)s 天都是有效日，其中至少 %(real)s 天须为优良（AQI ≤ 100）；"
                       "不考虑修约的简单算术为 %(plain)s 天。")
        p.why = (head + body) % {
            "target": _num(float(j.target), 1), "b": _num(t.boundary, 2), "rb": _num(float(rounded_b), 1),
            "n": t.days_so_far, "m": t.days_remaining, "real": t.value, "plain": t.plain}
        if not t.reachable:
            p.why += gettext("所需优良天数多于剩余天数，已无法达标。")
    else:
        p.threshold_text = p.plain_text = str(t.value)
        p.why = gettext("重污染天（AQI > 200）为整数天数，不修约。目标不超过 %(cap)s 天，本期至今 %(h)s 天，"
                        "剩余 %(m)s 天内最多还可有 %(left)s 天。") % {
            "cap": _num(float(j.target), 0), "h": _num(t.so_far, 0), "m": t.days_remaining, "left": t.value}
        if not t.reachable:
            p.why = gettext("重污染天数已超过目标 %(over)s 天，已无法达标。") % {"over": -t.value}


def _method_text(p: engine.Probability, m: int) -> str:
    if p.value is None:
        return ""
    years = "、".join(str(y) for y in p.years)
    text = gettext("按往年同期重抽样估算：把剩余 %(m)s 天按日历切成每 %(block)s 天一段（共 %(blocks)s 段），"
                   "每段从往年（%(years)s）中随机取一年，用该年同一日历日的日值；各段拼成剩余期间的一种可能，"
                   "与本期至今的数据合起来按标准计算、修约，再与目标比较。按段抽取保留了季节变化和持续数日的"
                   "污染过程。闰年 2 月 29 日取平年 2 月 28 日的值；往年缺测的日子不计入。") % {
        "m": m, "block": p.block_days, "blocks": p.blocks, "years": years}
    if p.exact:
        text += gettext("可能的组合共 %(n)s 种，已逐一计算，概率为精确值。") % {"n": p.draws}
    else:
        text += gettext("随机抽取 %(n)s 种组合（随机种子 %(seed)s，结果可重现）。") % {"n": p.draws, "seed": p.seed}
    if p.coverage < 1:
        text += gettext("往年数据覆盖剩余天数的 %(c)s。") % {"c": f"{p.coverage:.0%}"}
    return text


def earlier_years(target: Target, spec: rules.Cumulative, as_of: dt.date, end: dt.date,
                  ) -> dict[int, list[float | None]]:
    """Earlier years' daily values of the district set on the remaining calendar days, aligned with
    `engine.window_days(as_of, end)`: the engine's materialised daily results (monitoring.AirDaily,
    station NULL). MEAN: the pollutant's daily value; RATIO: 1 good / 0 not (valid days only); COUNT:
    1 heavy / 0 not. Days marked exceptional are left out for 扣除沙尘 targets."""
    from envgov.apps.air.models import AirDaily, ExceptionalDay
    from envgov.apps.air.services import EXCEPTIONAL_FLAG

    days = engine.window_days(as_of, end)
    if not days:
        return {}
    district = target.plan.district
    rows = AirDaily.objects.filter(district=district, station__isnull=True, day__lt=dt.date(target.plan.year, 1, 1))
    first = rows.order_by("day").values_list("day", flat=True).first()
    if first is None:
        return {}
    excluded: set[dt.date] = set()
    if EXCEPTIONAL_FLAG in (target.flags or []):
        excluded = set(ExceptionalDay.objects.filter(district=district, day__lt=dt.date(target.plan.year, 1, 1))
                       .values_list("day", flat=True))
    out: dict[int, list[float | None]] = {}
    good_max = std.tables.GOOD_DAY_MAX_AQI
    for year in range(first.year, target.plan.year):
        mapped = [engine.same_day(d, year - target.plan.year + d.year) for d in days]
        found = {r["day"]: r for r in rows.filter(day__range=(mapped[0], mapped[-1]))
                 .values("day", "aqi", "valid", spec.pollutant or "pm25")}
        values: list[float | None] = []
        for d in mapped:
            r = found.get(d)
            if r is None or d in excluded:
                values.append(None)
            elif spec.kind == rules.MEAN:
                values.append(r[spec.pollutant])
            else:
                valid = r["valid"] if r["valid"] is not None else r["aqi"] is not None
                if not valid or r["aqi"] is None:
                    values.append(None)
                elif spec.kind == rules.RATIO:
                    values.append(1.0 if r["aqi"] <= good_max else 0.0)
                else:
                    values.append(1.0 if r["aqi"] > 200 else 0.0)  # 重度污染 and above (HJ 633 level 5+)
        if any(v is not None for v in values):
            out[year] = values
    return out


def district_projections(district, plans=None) -> list[Projection]:  # noqa: ANN001
    """Projections of every target of the district's plans (optionally of the given plans' queryset)."""
    qs = Target.objects.filter(plan__district=district) if plans is None else Target.objects.filter(plan__in=plans)
    qs = qs.select_related("indicator", "plan", "plan__district").order_by("-plan__year", "plan_id", "id")
    return [projection(t) for t in qs]


# ------------------------------------------------------------------------------ parameters

@transaction.atomic
def set_warn_probability(district, *, acting_user: User, value: Any, reason: str) -> OutlookSetting:  # noqa: ANN001
    """The district's 预警 probability (0–1, e.g. 0.8 or 80%), with the reason; audited."""
    require(permissions.can_set_parameters(acting_user, district), gettext("只有本区的系统管理员或统筹协调人员可以设置研判参数"))
    text = str(value).strip().rstrip("%％")
    try:
        number = Decimal(text)
    except Exception:  # noqa: BLE001 - any unreadable text
        raise ValidationError({"warn_probability": gettext("请填写 0 到 1 之间的小数，或 0% 到 100% 的百分数")}) from None
    if str(value).strip().endswith(("%", "％")) or number > 1:
        number = number / 100
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(1):
        raise ValidationError({"warn_probability": gettext("请填写 0 到 1 之间的小数，或 0% 到 100% 的百分数")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写依据（如会议纪要、管理要求）")})
    number = number.quantize(Decimal("0.001"))
    row = OutlookSetting.objects.select_for_update().filter(district=district).first()
    before = {"warn_probability": str(row.warn_probability) if row else f"{rules.WARN_PROBABILITY.default}（默认）"}
    row = row or OutlookSetting(district=district)
    row.warn_probability, row.reason, row.set_by = number, reason[:200], acting_user
    row.save()
    audit.record(actor=acting_user, action="set_parameter", obj=row, before=before,
                 after={"warn_probability": str(number)}, note=f"预警概率阈值；依据：{reason}"[:300])
    return row


# ------------------------------------------------------------------------------ town targets

@dataclass
class TownTargetRow:
    town_id: int
    town: str
    value: float | None  # the town's target
    method: str
    baseline_value: float | None
    baseline_period: str
    actual: float | None  # the town's figure for the target's period so far (rankings.town_figures)
    valid_days: int | None
    completeness: float | None
    status: str  # met / warn / not_met / unknown (rules.projection)
    status_label: str
    note: str = ""
    threshold_text: str = ""  # a mean target: what the town's remaining days may average
    reachable: bool | None = None

    @property
    def value_text(self) -> str:
        return plain_number(self.value)

    @property
    def baseline_text(self) -> str:
        return plain_number(self.baseline_value)

    @property
    def actual_text(self) -> str:
        return plain_number(self.actual)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


TOWN_INDICATORS = {"pm25_mean": "pm25", "pm10_mean": "pm10", "dustfall": "dustfall"}  # plan code → rankings code


def town_targets(target: Target) -> list[TownTargetRow]:
    """The town targets of a district target with each town's figure so far (rankings' `town_figures`) and
    its status. For a mean target the town is projected like the district (envgov.engine.projection,
    the same rounding): 未达标 when its target is out of reach, 预警 when the rest of the period must do
    better than the town has so far, else 达标 — no probability for towns. Other indicators (dustfall):
    the figure so far against the town target."""
    from envgov.rules.ledger import target_status

    rows = list(TownTarget.objects.filter(target=target).select_related("town").order_by("town__code"))
    if not rows:
        return []
    figures, as_of = _town_figures(target)
    spec = rules.CUMULATIVE.get(target.indicator.code)
    digits = None
    if spec is not None and spec.kind == rules.MEAN:
        from envgov.apps.air.services import target_period

        start, _end = target_period(target)
        with std.parameters.using(_air_parameters(target.plan.district)):
            digits = std.rounding_rule(std.edition_for(start).key, "report").digits.get(spec.pollutant, 0)
    end = None
    if as_of is not None:
        from envgov.apps.air.services import target_period

        end = target_period(target)[1]
    out = []
    for r in rows:
        f = figures.get(r.town_id)
        actual = None if f is None else f.value
        row = TownTargetRow(
            town_id=r.town_id, town=r.town.name, value=float(r.value), method=r.method,
            baseline_value=None if r.baseline_value is None else float(r.baseline_value),
            baseline_period=r.baseline_period, actual=actual, valid_days=None if f is None else f.valid_days,
            completeness=None if f is None else f.completeness, status=rules.UNKNOWN, status_label="",
            note="" if f is None else (f.note or ""))
        if f is None:
            row.status_label = gettext("无数据")
        elif actual is None:
            row.status_label = gettext("数据不足")  # the town's period mean is not valid (its note says why)
        elif digits is not None and f.unrounded is not None and target.comparator in (engine.LE, engine.GE):
            j = engine.Judging.of(target.comparator, r.value, digits)
            t = engine.mean_threshold(float(f.unrounded) * f.valid_days, f.valid_days, max(0, (end - as_of).days), j)
            row.status, _reason, _params = rules.status(
                over=t.over, meets_now=t.reachable if t.over else None, reachable=t.reachable, probability=None,
                behind_pace=t.behind_pace, warn_probability=1.0)
            row.status_label = gettext(rules.STATUS_LABELS[row.status])
            if not t.over:
                v = _num(t.value, 2, down=j.comparator == engine.LE, trim=False)
                if j.comparator == engine.GE:
                    row.threshold_text = gettext("高于 %(v)s") % {"v": v}
                else:
                    row.threshold_text = (gettext("低于 %(v)s") if t.strict else gettext("不高于 %(v)s")) % {"v": v}
                row.reachable = t.reachable
        else:
            st = target_status(target.comparator, r.value, Decimal(str(actual)))
            row.status = {"met": rules.MET, "not_met": rules.NOT_MET}.get(st, rules.UNKNOWN)
            row.status_label = {"met": gettext("达标"), "not_met": gettext("未达标")}.get(st, gettext("无数据"))
        out.append(row)
    return out


def _town_figures(target: Target) -> tuple[dict[int, Any], dt.date | None]:
    """rank's town figures of the target's period so far, and the day they run to (empty when not
    available). The period runs to the target's 'as of' day, or for a figure the engine does not compute
    (dustfall) to today within the period."""
    from envgov.apps.audit import clock
    from envgov.apps.air.services import target_period

    indicator = TOWN_INDICATORS.get(target.indicator.code)
    if indicator is None:
        return {}, None
    try:
        from envgov.apps.rankings.services import town_figures
        from envgov.engine.towns import TownPeriod
    except ImportError:
        return {}, None
    start, end = target_period(target)
    as_of = target.actual_as_of or min(clock.today(), end)
    if as_of < start:
        return {}, None
    period = TownPeriod("range", start, as_of, f"{start:%Y-%m-%d}—{as_of:%Y-%m-%d}")
    return {f.town_id: f for f in town_figures(target.plan.district, period, indicator)}, as_of


def district_figure(district, start: dt.date, end: dt.date, code: str) -> float | None:  # noqa: ANN001
    """The district's reported figure of a plan air indicator for [start, end], computed by the engine
    from the lake exactly as the target's actual value is (HJ 663 set of the district's sites)."""
    from envgov.apps.air import services as monitoring
    from envgov.engine.air import evaluate

    key = monitoring.AIR_TARGET_KEYS.get(code)
    sites = monitoring._district_sites(district, monitoring.ASSESSMENT_KINDS)  # noqa: SLF001 - as the targets
    if key is None or not sites:
        return None
    hourly = monitoring.lake().to_wide("air", dt.datetime.combine(start, dt.time()),
                                       dt.datetime.combine(end + dt.timedelta(days=1), dt.time()), sites=sites)
    if hourly.num_rows == 0:
        return None
    with std.parameters.using(monitoring.air_parameters(district)):
        res = evaluate(hourly, start, end, sites=sites, scope="all", compare_years=None,
                       set_name=monitoring.DISTRICT_SET)[monitoring.DISTRICT_SET]
    return res.get(key)


def baseline_period(text: str, today: dt.date):  # noqa: ANN201 - envgov.engine.towns.TownPeriod
    """A baseline period as the rankings read it ("2023", "2023-Q4", "2023-03")."""
    try:
        from envgov.engine.towns import PeriodError, parse_period
    except ImportError:
        raise ValidationError({"baseline_period": gettext("街乡镇数值（排名模块）尚未安装，暂不能按基准期分解")}) from None
    try:
        return parse_period((text or "").strip(), today)
    except (PeriodError, ValueError) as exc:
        raise ValidationError({"baseline_period": str(exc) or gettext("基准期格式应为 2023、2023-Q4 或 2023-03")}) from None


@transaction.atomic
def decompose(target: Target, *, acting_user: User, method: str, values: dict[int, Any] | None = None,
              baseline: str = "", reason: str = "") -> list[TownTarget]:
    """Split a district target into town targets for every active town, all or nothing, audited.

    equal: every town the district's target value. baseline: the town's reported value in the baseline
    period × (district target ÷ the district's reported value in that period), kept to 1 decimal (the
    district's required change applied to every town). entered: one value per town, as typed."""
    from envgov.apps.audit import clock
    from envgov.apps.geo.models import Town
    from envgov.apps.plans import bounds

    require(permissions.can_decompose(acting_user, target), gettext("只有本区的系统管理员或统筹协调人员可以分解目标"))
    if method not in TownTarget.Method.values:
        raise ValidationError({"method": gettext("请选择分解方式")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("请填写分解依据（如区里的考核方案）")})
    towns = list(Town.objects.filter(district=target.plan.district, active=True).order_by("code"))
    if not towns:
        raise ValidationError({"method": gettext("本区还没有街乡镇")})
    label = gettext("分解目标值")
    plan: dict[int, tuple[Decimal, Decimal | None, str]] = {}
    errors: list[str] = []
    if method == TownTarget.Method.EQUAL:
        plan = {t.pk: (target.value, None, "") for t in towns}
    elif method == TownTarget.Method.ENTERED:
        values = values or {}
        for t in towns:
            raw = values.get(t.pk)
            if raw in (None, ""):
                errors.append(gettext("%(town)s：未填写分解目标值") % {"town": t.name})
                continue
            try:
                plan[t.pk] = (bounds.figure(raw, f"{t.name} {label}", minimum=0), None, "")
            except ValidationError as exc:
                errors.extend(exc.messages)
    else:
        indicator = TOWN_INDICATORS.get(target.indicator.code)
        if indicator is None or indicator == "dustfall":
            raise ValidationError({"method": gettext("只有 PM2.5、PM10 平均浓度目标可以按基准期分解，请改用其他方式")})
        period = baseline_period(baseline, clock.today())
        from envgov.apps.rankings.services import town_figures

        whole = district_figure(target.plan.district, period.start, period.end, target.indicator.code)
        if not whole:
            raise ValidationError({"baseline_period": gettext("基准期 %(p)s 全区没有有效数据，无法按基准期分解") % {
                "p": period.label}})
        ratio = Decimal(str(target.value)) / Decimal(str(whole))
        figures = {f.town_id: f for f in town_figures(target.plan.district, period, indicator)}
        for t in towns:
            f = figures.get(t.pk)
            if f is None or f.value is None:
                errors.append(gettext("%(town)s：基准期 %(p)s 没有有效数据，请改用逐镇填报") % {
                    "town": t.name, "p": period.label})
                continue
            base_v = Decimal(str(f.value))
            plan[t.pk] = ((base_v * ratio).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN), base_v, period.label)
    if errors:
        raise ValidationError({"values": errors})
    existing = {r.town_id: r for r in TownTarget.objects.select_for_update().filter(target=target)}
    names = {t.pk: t.name for t in towns}
    before = {names.get(k, str(k)): _plain(r.value) for k, r in existing.items()}
    TownTarget.objects.filter(target=target).exclude(town_id__in=plan).delete()
    out = []
    for town_id, (value, base_v, period_label) in plan.items():
        row = existing.get(town_id) or TownTarget(target=target, town_id=town_id)
        row.value, row.method, row.baseline_value, row.baseline_period = value, method, base_v, period_label
        row.note, row.set_by = reason[:200], acting_user
        row.save()
        out.append(row)
    after = {names[k]: _plain(v[0]) for k, v in plan.items()}
    audit.record(actor=acting_user, action="decompose", obj=target, plan=target.plan, before=before, after=after,
                 note=f"{TownTarget.Method(method).label}；依据：{reason}"[:300])
    return out
