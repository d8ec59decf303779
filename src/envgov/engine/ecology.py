"""Ecological status index EI (HJ 192-2015) from its component indices, its grade, and the grade of change
between years — the one computation path for these figures.

    EI = 0.35×生物丰度 + 0.25×植被覆盖 + 0.15×水网密度 + 0.15×(100 − 土地胁迫) + 0.10×(100 − 污染负荷)

then the environmental-restriction constraint the user states for the year (降一级: EI capped 0.1 below
the lower boundary of its grade; 不能为优、良: capped at 54.9), then the grade (优 ≥ 75, 良 ≥ 55, 一般 ≥ 35,
较差 ≥ 20, 差 < 20). ΔEI = EI(t) − EI(base): |ΔEI| < 1 无明显变化, < 3 略微, < 8 明显, else 显著; > 0 变好.
Comparisons are made after removing binary noise (10 decimals), which is not a 修约; the 修约 rules are the
parameters `round_sub_indices` and `ei_rounding` (GB/T 8170 half-even).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from envgov.catalogue import gettext_noop
from envgov.standards.air.rounding import round_half_even_float
from envgov.standards.ecology.parameters import EI_EXACT, PARAMETERS
from envgov.standards.ecology.tables import (
    BETTER,
    CAP_BELOW_BOUNDARY,
    CHANGE_BANDS,
    COEFFICIENT,
    COMPONENTS,
    CONSTRAINTS,
    DOWNGRADE_ONE,
    GRADES,
    HJ192,
    LAND_STRESS_WEIGHTS,
    NO_CONSTRAINT,
    NOT_EXCELLENT_OR_GOOD,
    POLLUTION_LOAD_TERMS,
    WORSE,
)

NOISE_DIGITS = 10  # binary noise only (0.1 + 0.2 ≠ 0.3), not a rounding rule

MSG_UNKNOWN_CONSTRAINT = gettext_noop("未知的环境限制：%(value)s")
NOTE_CLIPPED = gettext_noop("%(label)s %(value)s 超过 100，按参数 clip_sub_indices 以 100 计")
NOTE_ABOVE_100 = gettext_noop("%(label)s %(value)s 超过 100，按给出的值计算（未截为 100）")
NOTE_CAPPED = gettext_noop("环境限制“%(constraint)s”：EI 由 %(before)s 限为 %(after)s")
NOTE_CONSTRAINT_NO_EFFECT = gettext_noop("环境限制“%(constraint)s”：EI %(value)s 已低于限值，不变")


def _clean(x: float) -> float:
    return round(x, NOISE_DIGITS) + 0.0


def grade(ei: float) -> str:
    """优/良/一般/较差/差 of an EI value (a value equal to a boundary belongs to the better grade)."""
    v = _clean(ei)
    for g in GRADES:
        if g.minimum is None or v >= g.minimum:
            return g.word
    raise AssertionError("unreachable")


def _grade_index(ei: float) -> int:
    return [g.word for g in GRADES].index(grade(ei))


@dataclass(frozen=True)
class Change:
    area: str
    year: int
    base_year: int
    delta: float
    band: str  # 无明显变化 / 略微变化 / 明显变化 / 显著变化
    direction: str  # 变好 / 变差 / "" (无明显变化)

    @property
    def text(self) -> str:
        return f"{self.band}（{self.direction}）" if self.direction else self.band


def change_grade(delta: float) -> tuple[str, str]:
    """(band, direction) of ΔEI: |Δ| < 1 无明显变化, 1 ≤ |Δ| < 3 略微, 3 ≤ |Δ| < 8 明显, ≥ 8 显著."""
    d = _clean(delta)
    for band in CHANGE_BANDS:
        if abs(d) >= band.minimum:
            direction = "" if band.minimum == 0.0 else (BETTER if d > 0 else WORSE)
            return band.word, direction
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class EIResult:
    area: str
    year: int
    components: dict[str, float]  # the values used (after the sub-index rounding and clipping rules)
    ei_computed: float  # the weighted sum (after `ei_rounding`), before the constraint
    ei: float  # after the constraint
    grade: str
    constraint: str
    notes: tuple[str, ...] = ()
    formula: str = ""
    row: int = 0


def compute(components: Mapping[str, float], constraint: str = NO_CONSTRAINT, area: str = "", year: int = 0,
            row: int = 0) -> EIResult:
    """EI of one area and year from its five component indices (keys as in `COMPONENTS`)."""
    if constraint not in CONSTRAINTS:
        raise ValueError(MSG_UNKNOWN_CONSTRAINT % {"value": constraint})
    notes: list[str] = []
    used: dict[str, float] = {}
    for c in COMPONENTS:
        v = float(components[c.key])
        if v > 100:
            if PARAMETERS.value("clip_sub_indices"):
                notes.append(NOTE_CLIPPED % {"label": c.label, "value": f"{v:g}"})
                v = 100.0
            else:
                notes.append(NOTE_ABOVE_100 % {"label": c.label, "value": f"{v:g}"})
        if PARAMETERS.value("round_sub_indices"):
            v = round_half_even_float(_clean(v), 1)
        used[c.key] = v
    total = _clean(sum(c.weight * ((100.0 - used[c.key]) if c.inverted else used[c.key]) for c in COMPONENTS))
    digits = PARAMETERS.value("ei_rounding")
    if digits != EI_EXACT:
        total = round_half_even_float(total, int(str(digits)))
    value = total
    if constraint:
        idx = _grade_index(total)
        if constraint == DOWNGRADE_ONE:
            bound = GRADES[idx].minimum
        else:
            assert constraint == NOT_EXCELLENT_OR_GOOD
            bound = GRADES[[g.word for g in GRADES].index("良")].minimum
        cap = None if bound is None else _clean(bound - CAP_BELOW_BOUNDARY)
        if cap is not None and total > cap:
            value = cap
            notes.append(NOTE_CAPPED % {"constraint": CONSTRAINTS[constraint], "before": f"{total:g}",
                                        "after": f"{cap:g}"})
        else:
            notes.append(NOTE_CONSTRAINT_NO_EFFECT % {"constraint": CONSTRAINTS[constraint], "value": f"{total:g}"})
    terms = " + ".join(
        f"{c.weight:.2f}×(100−{used[c.key]:g})" if c.inverted else f"{c.weight:.2f}×{used[c.key]:g}" for c in COMPONENTS)
    return EIResult(area, year, used, total, value, grade(value), constraint, tuple(notes),
                    f"EI = {terms} = {total:g}", row)


def changes(results: Sequence[EIResult], base_year: int | None = None) -> list[Change]:
    """Change of every year of an area against the previous year given (base_year None) or against `base_year`."""
    out: list[Change] = []
    by_area: dict[str, list[EIResult]] = {}
    for r in results:
        by_area.setdefault(r.area, []).append(r)
    for area, rs in by_area.items():
        rs = sorted(rs, key=lambda r: r.year)
        years = {r.year: r for r in rs}
        for i, r in enumerate(rs):
            if base_year is None:
                if i == 0:
                    continue
                base = rs[i - 1]
            else:
                if r.year == base_year or base_year not in years:
                    continue
                base = years[base_year]
            delta = _clean(r.ei - base.ei)
            band, direction = change_grade(delta)
            out.append(Change(area, r.year, base.year, delta, band, direction))
    return out


MSG_AREA = gettext_noop("区域面积应大于 0，收到 %(value)s")
MSG_PRECIPITATION = gettext_noop("年降水量应大于 0，收到 %(value)s")
MSG_NEGATIVE_INPUT = gettext_noop("%(key)s 不能为负，收到 %(value)s")


def _nonnegative(values: Mapping[str, float]) -> None:
    for k, v in values.items():
        if v < 0:
            raise ValueError(MSG_NEGATIVE_INPUT % {"key": k, "value": v})


def land_stress_index(area: float, severe_erosion: float, moderate_erosion: float, construction: float,
                      other_stress: float) -> float:
    """土地胁迫指数 = A_ero × (0.4·重度侵蚀 + 0.2·中度侵蚀 + 0.2·建设用地 + 0.2·其他土地胁迫) / 区域面积.

    From the reference code [1SRC] (other.md §2.1); areas in the unit the coefficient assumes (km², UNCONFIRMED).
    Not clipped (clipping to 100 is the `clip_sub_indices` parameter, applied when the EI is computed)."""
    parts = {"severe_erosion": severe_erosion, "moderate_erosion": moderate_erosion, "construction": construction,
             "other_stress": other_stress}
    _nonnegative(parts)
    if area <= 0:
        raise ValueError(MSG_AREA % {"value": area})
    a_ero = COEFFICIENT["A_ero"]
    assert a_ero is not None
    return _clean(a_ero * sum(LAND_STRESS_WEIGHTS[k] * v for k, v in parts.items()) / area)


def pollution_load_index(area: float, precipitation_mm: float, cod: float, nh3n: float, so2: float, dust: float,
                         nox: float, solid_waste: float) -> float:
    """污染负荷指数 = 0.20·A_COD·COD/Q + 0.20·A_NH3·NH3-N/Q + 0.20·A_SO2·SO2/S + 0.10·A_YFC·烟粉尘/S
    + 0.20·A_NOX·NOx/S + 0.10·A_SOL·固废/S, Q = 年降水量 × 区域面积, S = 区域面积.

    From the reference code [1SRC] (other.md §2.1); emissions in t, precipitation in mm, area in km² (UNCONFIRMED)."""
    emissions = {"cod": cod, "nh3n": nh3n, "so2": so2, "dust": dust, "nox": nox, "solid_waste": solid_waste}
    _nonnegative(emissions)
    if area <= 0:
        raise ValueError(MSG_AREA % {"value": area})
    if precipitation_mm <= 0:
        raise ValueError(MSG_PRECIPITATION % {"value": precipitation_mm})
    divisor = {"Q": precipitation_mm * area, "S": area}
    total = 0.0
    for key, weight, coeff, by in POLLUTION_LOAD_TERMS:
        a = COEFFICIENT[coeff]
        assert a is not None
        total += weight * a * emissions[key] / divisor[by]
    return _clean(total)


@dataclass
class EcologyEvaluation:
    results: list[EIResult]
    changes: list[Change]
    provenance: dict[str, object] = field(default_factory=dict)


def evaluate(records: Sequence[Mapping[str, object]], base_year: int | None = None) -> EcologyEvaluation:
    """EI, grade and change for records {area, year, components, constraint, row} (see the ecology reader)."""
    results = [compute(r["components"], str(r.get("constraint") or ""), str(r.get("area") or ""),  # type: ignore[arg-type]
                       int(r["year"]), int(r.get("row") or 0)) for r in records]  # type: ignore[call-overload]
    return EcologyEvaluation(results, changes(results, base_year), provenance())


def provenance() -> dict[str, object]:
    return {
        "standard": f"{HJ192.title}（{HJ192.id}）",
        "formula": gettext_noop("EI = 0.35×生物丰度指数 + 0.25×植被覆盖指数 + 0.15×水网密度指数 + 0.15×(100−土地胁迫指数)"
                                " + 0.10×(100−污染负荷指数)，环境限制指数作约束"),
        "grades": gettext_noop("优 EI≥75；良 55≤EI<75；一般 35≤EI<55；较差 20≤EI<35；差 EI<20"),
        "change": gettext_noop("ΔEI = EI(当年) − EI(基准年)：|ΔEI|<1 无明显变化；1≤|ΔEI|<3 略微变化；3≤|ΔEI|<8 明显变化；"
                               "|ΔEI|≥8 显著变化；ΔEI>0 变好，<0 变差"),
        "constraint": gettext_noop("环境限制指数：由用户按当年情况填写（降一级 / 不能为优、良），触发条件的官方表未核实；"
                                   "降一级时 EI 限为所在级别下限减 0.1，不能为优、良时限为 54.9（参考代码的做法）"),
        "weights_confidence": "1src",
        "parameters": PARAMETERS.provenance(),
    }
