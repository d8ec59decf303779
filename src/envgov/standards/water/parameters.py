"""User-set parameters: the water rules that the reference marks UNCONFIRMED, with envgov's defaults.

Same contract as `envgov.standards.air.parameters` (whose `Parameter` record is reused): each parameter
names the rule it stands for and why that rule is unconfirmed; the default is what envgov does when the
user sets nothing and results report it as a default; `using(values)` applies values to every
computation inside it (a context variable, so concurrent requests do not see each other's values).

    >>> with using({"proportion_min_sections": 6}):
    ...     value("proportion_min_sections")
    6
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from envgov.catalogue import gettext_noop
from envgov.standards.air.parameters import Parameter

# Items that "cyanide, Pb, Cr and other heavy metals" (water.md §2.4) can mean among Table 1 items.
HEAVY_METAL_SETS: dict[str, tuple[str, ...]] = {
    "named": ("cyanide", "pb", "cr6"),
    "metals": ("cyanide", "pb", "cr6", "hg", "cd", "cu", "zn"),
    "metals_metalloids": ("cyanide", "pb", "cr6", "hg", "cd", "cu", "zn", "as", "se"),
}

PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "lake_tn_counts", gettext_noop("湖库总氮参与水质类别评价"), "bool", False,
        rule=gettext_noop("地表水环境质量评价办法（试行）评价指标：21 项不含总氮；有转述称“河流总氮除外”"),
        # water.md §2.1
        why_unconfirmed=gettext_noop("办法原文未读到；两种转述不一致，默认按 21 项（总氮只作参考指标单独评价）"),
    ),
    Parameter(
        "heavy_metals_first", gettext_noop("主要污染物中优先列出的“重金属”范围"), "choice", "metals",
        rule=gettext_noop("评价办法：氰化物、铅、铬等重金属超标时优先列为主要污染物"),  # water.md §2.4 [1SRC]
        why_unconfirmed=gettext_noop("只见转述原文“氰化物、铅、铬等重金属”，“等”所含项目未列明，默认取表1中的金属"),
        choices={"named": gettext_noop("仅氰化物、铅、六价铬"),
                 "metals": gettext_noop("氰化物及表1金属（铅、六价铬、汞、镉、铜、锌）"),
                 "metals_metalloids": gettext_noop("氰化物及表1金属和类金属（另含砷、硒）")},
    ),
    Parameter(
        "proportion_min_sections", gettext_noop("河流、流域按断面类别比例法评价所需的最少断面数"), "int", 5,
        rule=gettext_noop("评价办法：断面数少于 5 个时按断面平均浓度评价，5 个及以上按类别比例法"),  # water.md §2.5
        why_unconfirmed=gettext_noop("一处转述为“5个以上”，“5个（含）以上”的原文未核实；默认恰为 5 个时用比例法"),
        minimum=1, maximum=100,
    ),
    Parameter(
        "period_min_samples", gettext_noop("时段评价（月、季、年均值）所需的最少样品数"), "int", 1,
        rule=gettext_noop("评价办法：时段值取该时段样品的算术平均"),  # water.md §2.2
        why_unconfirmed=gettext_noop("季度、年度的最少样品数未核实；默认有 1 个样品即评价（不设最少数）"),
        minimum=1, maximum=10000,
    ),
)
BY_KEY: dict[str, Parameter] = {p.key: p for p in PARAMETERS}
DEFAULTS: dict[str, object] = {p.key: p.default for p in PARAMETERS}

_VALUES: ContextVar[Mapping[str, object]] = ContextVar("envgov_water_parameters", default=DEFAULTS)


def clean(values: Mapping[str, object]) -> dict[str, object]:
    """Checked, typed values (strings accepted); raises ValueError with a Chinese message."""
    out: dict[str, object] = {}
    for key, raw in values.items():
        p = BY_KEY.get(key)
        if p is None:
            raise ValueError(f"未知参数：{key}")
        if p.kind == "int":
            try:
                v: object = int(str(raw).strip())
            except ValueError:
                raise ValueError(f"{p.label}：应为整数，收到“{raw}”") from None
            if (p.minimum is not None and v < p.minimum) or (p.maximum is not None and v > p.maximum):  # type: ignore[operator]
                raise ValueError(f"{p.label}：应在 {p.minimum}–{p.maximum} 之间，收到 {v}")
        elif p.kind == "bool":
            text = str(raw).strip().lower()
            if isinstance(raw, bool):
                v = raw
            elif text in ("1", "true", "yes", "on", "是"):
                v = True
            elif text in ("0", "false", "no", "off", "否", ""):
                v = False
            else:
                raise ValueError(f"{p.label}：应为是或否，收到“{raw}”")
        else:
            v = str(raw).strip()
            if v not in p.choices:
                raise ValueError(f"{p.label}：可选 {'、'.join(p.choices)}，收到“{raw}”")
        out[key] = v
    return out


def value(key: str) -> object:
    return _VALUES.get()[key]


def current() -> dict[str, object]:
    return dict(_VALUES.get())


@contextmanager
def using(values: Mapping[str, object] | None) -> Iterator[dict[str, object]]:
    """Apply `values` (others keep their defaults) to every computation inside the block."""
    merged = {**DEFAULTS, **clean(values or {})}
    token = _VALUES.set(merged)
    try:
        yield merged
    finally:
        _VALUES.reset(token)


def heavy_metals() -> tuple[str, ...]:
    return HEAVY_METAL_SETS[str(value("heavy_metals_first"))]


def provenance() -> list[dict[str, object]]:
    """The parameters as results report them: value, default, whether the user set it, unconfirmed."""
    vals = _VALUES.get()
    return [{"key": p.key, "label": p.label, "value": vals[p.key], "default": p.default,
             "user_set": vals[p.key] != p.default, "confidence": "unconfirmed"} for p in PARAMETERS]
