"""User-set parameters: the air rules that the reference marks UNCONFIRMED, with envgov's defaults.

Guide rule: a fact marked UNCONFIRMED becomes a parameter that the user sets and that is shown as
user-set. Each parameter below says which rule it stands for and why that rule is unconfirmed. The
defaults are the values envgov used before the parameter existed; a bureau may change them once it
holds the standard's text. `using(values)` applies a set of values to every computation inside it (a
context variable, so concurrent requests do not see each other's values); results then name the
values in their provenance.

    >>> with using({"o3_daily_max_8h_min_windows": 16}):
    ...     value("o3_daily_max_8h_min_windows")
    16
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from envgov.catalogue import gettext_noop  # texts shown in the web UI, translated there
from envgov.standards.air.tables import ABOVE_TOP_POLICY_DEFAULT, ROUNDING_RULES, VALIDITY

# Defaults come from the tables (the values envgov used before these became parameters).
_REPORT = ROUNDING_RULES[("2012", "report")].digits
_VALIDITY = VALIDITY["2012"]


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str  # Chinese, as shown to users
    kind: str  # "int", "bool" or "choice"
    default: object
    rule: str  # the rule it stands for, and where that rule comes from
    why_unconfirmed: str
    minimum: int | None = None
    maximum: int | None = None
    choices: dict[str, str] = field(default_factory=dict)  # value → label (Chinese; translated in the UI)


PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "report_digits", gettext_noop("评价浓度修约位数（SO2、NO2、PM10、PM2.5、O3，µg/m³）"), "int", _REPORT["pm25"],
        rule=gettext_noop("HJ 663-2013 / HJ 663-2026 评价结果的修约（GB/T 8170 四舍六入五成双）"),
        # reference: air.md §3.5; air-2026.md §5.1
        why_unconfirmed=gettext_noop("两版 HJ 663 规定的保留位数均未核实（2026 年版的发布说明仅称“修约要求更加细化”），"
                                     "默认按通行做法取整数"),
        minimum=0, maximum=2,
    ),
    Parameter(
        "report_digits_co", gettext_noop("CO 评价浓度修约位数（mg/m³）"), "int", _REPORT["co"],
        rule=gettext_noop("同上，CO"),
        why_unconfirmed=gettext_noop("同上，默认保留 1 位小数"),
        minimum=0, maximum=3,
    ),
    Parameter(
        "o3_daily_max_8h_min_windows", gettext_noop("O3 日最大 8 小时平均：每日至少需要的有效 8 小时滑动平均个数"), "int",
        _VALIDITY.o3_daily_max_8h_min_windows,
        rule=gettext_noop("HJ 663 §6.1.2 O3 日最大 8 小时平均的有效性（每日 17 个滑动窗口中的个数）"),
        why_unconfirmed=gettext_noop("只见第三方转述，标准原文未读到"),  # air.md §2.2; air-2026.md §5.2
        minimum=1, maximum=17,
    ),
    Parameter(
        "o3_daily_max_8h_valid_if_exceeds", gettext_noop("有效个数不足但已超过浓度限值时，该日 O3 日最大 8 小时值仍有效"), "bool",
        _VALIDITY.o3_daily_max_8h_valid_if_exceeds,
        rule=gettext_noop("同上，“超标即有效”的例外"),
        why_unconfirmed=gettext_noop("同上"),
    ),
    Parameter(
        "above_top_policy", gettext_noop("浓度超过 IAQI 分段表最高一档时的分指数"), "choice", ABOVE_TOP_POLICY_DEFAULT,
        rule=gettext_noop("HJ 633-2012 / HJ 633-2026 分段表以上的处理"),
        why_unconfirmed=gettext_noop("两版 HJ 633 均未规定，默认按通行做法记为 500"),  # air-2026.md §3.8
        choices={"cap": gettext_noop("记为 500"), "none": gettext_noop("不计算（留空）")},
    ),
)
BY_KEY: dict[str, Parameter] = {p.key: p for p in PARAMETERS}
DEFAULTS: dict[str, object] = {p.key: p.default for p in PARAMETERS}

# (values in force, their signature): the signature is computed once per `using`, not per lookup.
_VALUES: ContextVar[tuple[Mapping[str, object], tuple[tuple[str, object], ...]]] = ContextVar(
    "envgov_air_parameters", default=(DEFAULTS, ()))


def clean(values: Mapping[str, object]) -> dict[str, object]:
    """Checked, typed values (strings from a form are accepted); raises ValueError with a Chinese message."""
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
            if isinstance(raw, bool):
                v = raw
            elif str(raw).strip().lower() in ("1", "true", "yes", "on", "是"):
                v = True
            elif str(raw).strip().lower() in ("0", "false", "no", "off", "否", ""):
                v = False
            else:
                raise ValueError(f"{p.label}：应为是或否，收到“{raw}”")
        else:
            v = str(raw).strip()
            if v not in p.choices:
                raise ValueError(f"{p.label}：可选 {'、'.join(p.choices)}，收到“{raw}”")
        out[key] = v
    return out


def current() -> dict[str, object]:
    """Every parameter's value in force here (defaults where nothing was set)."""
    return dict(_VALUES.get()[0])


def value(key: str) -> object:
    return _VALUES.get()[0][key]


def changed() -> dict[str, object]:
    """The values in force that differ from the defaults."""
    return _changes(_VALUES.get()[0])


def _changes(values: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if v != DEFAULTS[k]}


def signature() -> tuple[tuple[str, object], ...]:
    """Hashable form of the values in force, for caches of anything computed under them."""
    return _VALUES.get()[1]


@contextmanager
def using(values: Mapping[str, object] | None) -> Iterator[dict[str, object]]:
    """Apply `values` (others keep their defaults) to every computation inside the block."""
    merged = {**DEFAULTS, **clean(values or {})}
    token = _VALUES.set((merged, tuple(sorted(_changes(merged).items()))))
    try:
        yield merged
    finally:
        _VALUES.reset(token)


def provenance() -> list[dict[str, object]]:
    """The parameters as results report them: value, default, and that the rule is unconfirmed."""
    vals = _VALUES.get()[0]
    return [{"key": p.key, "label": p.label, "value": vals[p.key], "default": p.default,
             "user_set": vals[p.key] != p.default, "confidence": "unconfirmed"} for p in PARAMETERS]
