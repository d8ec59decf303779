"""Single-factor classification (GB 3838-2002 §5, 评价办法 §2.2–§2.5) — the one computation path.

The kernel works on NumPy arrays (one call per item, no Python loop per value); the scalar helpers call
the same kernel on one-element arrays, so a class shown for one sample and a class computed for a
national file come from the same code. Classes are ints: 1–5 = Ⅰ–Ⅴ, 6 = 劣Ⅴ, 0 = not assessable.

Comparison: values are compared exactly as given (no 修约: neither the standard nor the method as
documented in water.md prescribes rounding before comparison). A value equal to a limit meets it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from envgov.standards.water import parameters
from envgov.standards.water.tables import (
    ASSESSMENT_ITEMS,
    BY_CODE,
    CLASS_LABELS,
    DO_SATURATION_CLASS1,
    EXCEEDANCE_BASIS_CLASS,
    LAKE,
    NO_EXCEEDANCE_MULTIPLE,
    NOT_ASSESSABLE,
    PRIMARY_NONE_UP_TO_CLASS,
    PRIMARY_POLLUTANTS_MAX,
    PROPORTION_BAD_HEAVY,
    PROPORTION_BAD_MODERATE,
    PROPORTION_GOOD_EXCELLENT,
    PROPORTION_GOOD_GOOD,
    RIVER,
    STATUS,
    WORSE_THAN_V,
)

ArrayLike = np.ndarray | Sequence[float] | float


def _as_float(values: ArrayLike) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _lake_mask(kind: str | np.ndarray, n: int) -> np.ndarray:
    if isinstance(kind, str):
        if kind not in (RIVER, LAKE):
            raise ValueError(f"水体类型只能是河流或湖库，收到“{kind}”")
        return np.full(n, kind == LAKE)
    return np.asarray(kind, dtype=bool)


def counting_items(kind: str) -> tuple[str, ...]:
    """Items whose class makes the water-quality class (21 items; + TN for lakes if the user says so)."""
    if kind == LAKE and parameters.value("lake_tn_counts"):
        return (*ASSESSMENT_ITEMS, "tn")
    return ASSESSMENT_ITEMS


def item_class(code: str, values: ArrayLike, kind: str | np.ndarray = RIVER,
               do_saturation: ArrayLike | None = None) -> np.ndarray:
    """Class (int8, 0 where the value is missing or the item does not apply) of each value of one item.

    `kind` is "river"/"lake" or a boolean array (True = lake/reservoir) of the same length.
    """
    item = BY_CODE[code]
    v = np.atleast_1d(_as_float(values))
    out = np.zeros(v.shape, dtype=np.int8)
    ok = ~np.isnan(v)
    lake = _lake_mask(kind, v.shape[0])
    if item.direction == "rule":
        return out  # water temperature: a rule on man-made change, not a class scale
    if item.direction == "range":
        low, high = item.range  # type: ignore[misc]
        out[ok] = np.where((v[ok] >= low) & (v[ok] <= high), 1, WORSE_THAN_V)
        return out
    if item.direction == "ge":
        neg = -np.asarray(item.limits, dtype=np.float64)  # ascending
        out[ok] = np.searchsorted(neg, -v[ok], side="left") + 1
        if do_saturation is not None:  # class Ⅰ also when saturation ≥ 90 % (Table 1 row 3 "或")
            sat = np.atleast_1d(_as_float(do_saturation))
            out[ok & (sat >= DO_SATURATION_CLASS1)] = 1
        return out
    river_lim = np.asarray(item.limits, dtype=np.float64)
    cls = np.searchsorted(river_lim, v, side="left") + 1
    if item.lake_limits is not None:
        cls = np.where(lake, np.searchsorted(np.asarray(item.lake_limits, dtype=np.float64), v, side="left") + 1, cls)
    out[ok] = cls[ok]
    if LAKE in item.kinds and RIVER not in item.kinds:  # TN: lakes and reservoirs only
        out[~lake] = NOT_ASSESSABLE
    return out


def limit_of(code: str, cls: int | np.ndarray, kind: str | np.ndarray = RIVER) -> np.ndarray:
    """Limit of `code` for class `cls` (scalar or array of 1–5; others give NaN) for each row's kind."""
    item = BY_CODE[code]
    c = np.atleast_1d(np.asarray(cls, dtype=np.int64))
    lake = _lake_mask(kind, c.shape[0]) if not isinstance(kind, str) else np.full(c.shape[0], kind == LAKE)
    river = np.append(np.nan, np.asarray(item.limits or (np.nan,) * 5, dtype=np.float64))
    lakes = np.append(np.nan, np.asarray(item.limits_for(LAKE) or (np.nan,) * 5, dtype=np.float64))
    idx = np.where((c >= 1) & (c <= 5), c, 0)
    return np.where(lake, lakes[idx], river[idx])


def exceedance_multiple(code: str, values: ArrayLike, kind: str | np.ndarray = RIVER,
                        basis_class: int | np.ndarray = EXCEEDANCE_BASIS_CLASS) -> np.ndarray:
    """超标倍数 (C − S) / S against the basis class's limit S (class Ⅲ unless told), per value.

    0 where the value meets the limit, NaN where it is missing or the item has no multiple (temperature,
    pH, DO, water.md §2.4)."""
    v = np.atleast_1d(_as_float(values))
    if code in NO_EXCEEDANCE_MULTIPLE or BY_CODE[code].direction != "le":
        return np.full(v.shape, np.nan)
    basis = np.broadcast_to(np.asarray(basis_class), v.shape)
    s = limit_of(code, basis, kind if not isinstance(kind, str) else np.full(v.shape, kind == LAKE))
    return np.where(v > s, (v - s) / s, np.where(np.isnan(v) | np.isnan(s), np.nan, 0.0))


@dataclass(frozen=True)
class SampleClass:
    """Result of one sample (or one period mean): class, the class of each counting item, status."""

    cls: int  # 0 = not assessable
    items: dict[str, int]
    kind: str

    @property
    def label(self) -> str:
        return CLASS_LABELS.get(self.cls, "")

    @property
    def status(self) -> str:
        return STATUS[self.cls].word if self.cls else ""


def classify(values: Mapping[str, float | None], kind: str = RIVER) -> SampleClass:
    """Single-factor class of one sample: the worst class among the counting items that have a value."""
    sat = values.get("do_sat")
    items: dict[str, int] = {}
    for code in counting_items(kind):
        raw = values.get(code)
        if raw is None:
            continue
        c = int(item_class(code, [raw], kind, None if (code != "do" or sat is None) else [sat])[0])
        if c:
            items[code] = c
    return SampleClass(max(items.values(), default=NOT_ASSESSABLE), items, kind)


def status(cls: int) -> str:
    """水质状况 of a class: 优 (Ⅰ–Ⅱ), 良好 (Ⅲ), 轻度污染 (Ⅳ), 中度污染 (Ⅴ), 重度污染 (劣Ⅴ); "" if not assessable."""
    return STATUS[cls].word if cls in STATUS else ""


def attained(cls: int, target: int | None) -> bool | None:
    """Meets the target class (class ≤ target); None when not assessable or no target."""
    if not cls or target is None:
        return None
    return cls <= target


def primary_order(classes: np.ndarray, multiples: np.ndarray, codes: Sequence[str]) -> np.ndarray:
    """Indices (n, 3) into `codes` of each row's main pollutants, −1 where fewer (评价办法, water.md §2.4).

    classes, multiples: (n, k) per counting item. Rows whose worst class is Ⅰ–Ⅲ have none; otherwise items
    worse than class Ⅲ, heavy metals (parameter `heavy_metals_first`) first, then worse class, then larger
    exceedance multiple, then table order."""
    classes = np.asarray(classes)
    n, k = classes.shape
    heavy = np.isin(np.asarray(codes), parameters.heavy_metals())
    candidate = classes > PRIMARY_NONE_UP_TO_CLASS
    mult = np.where(np.isnan(multiples), -1.0, multiples)
    order_pos = np.broadcast_to(np.arange(k), (n, k))
    key_primary = -(np.where(candidate, 1, 0) * 100 + np.where(candidate & heavy, 10, 0) + classes)
    order = np.lexsort((order_pos, -mult, key_primary), axis=-1)
    top = order[:, :PRIMARY_POLLUTANTS_MAX]
    ok = np.take_along_axis(candidate, top, axis=1)
    return np.where(ok, top, -1)


def format_pollutant(code: str, multiple: float) -> str:
    """"高锰酸盐指数(1.2)": the name with the multiple (one decimal) as the method writes it; no multiple
    for DO and pH."""
    from envgov.standards.air.rounding import round_half_even_float

    name = BY_CODE[code].label
    if np.isnan(multiple) or code in NO_EXCEEDANCE_MULTIPLE:
        return name
    return f"{name}({round_half_even_float(float(multiple), 1)})"


def primary_pollutants(values: Mapping[str, float | None], kind: str = RIVER) -> list[str]:
    """Main pollutants of one sample, e.g. ["总磷(1.5)", "氨氮(0.3)"]; [] for classes Ⅰ–Ⅲ."""
    codes = counting_items(kind)
    raw = np.array([[np.nan if values.get(c) is None else float(values[c]) for c in codes]])  # type: ignore[arg-type]
    cls = np.stack([item_class(c, raw[:, j], kind) for j, c in enumerate(codes)], axis=1)
    mult = np.stack([exceedance_multiple(c, raw[:, j], kind) for j, c in enumerate(codes)], axis=1)
    idx = primary_order(cls, mult, codes)[0]
    return [format_pollutant(codes[i], mult[0, i]) for i in idx if i >= 0]


@dataclass(frozen=True)
class ProportionRating:
    sections: int
    share_good: float  # % of assessed sections in classes Ⅰ–Ⅲ
    share_worse_than_v: float  # % in 劣Ⅴ
    status: str


def proportion_rating(classes: ArrayLike) -> ProportionRating:
    """Section-class proportion method (water.md §2.5) over the sections' classes (0 = not assessed,
    left out)."""
    c = np.atleast_1d(np.asarray(classes, dtype=np.int64))
    c = c[c > 0]
    n = int(c.size)
    if n == 0:
        return ProportionRating(0, float("nan"), float("nan"), "")
    good = 100.0 * np.count_nonzero(c <= 3) / n
    bad = 100.0 * np.count_nonzero(c == WORSE_THAN_V) / n
    if good >= PROPORTION_GOOD_EXCELLENT:
        word = "优"
    elif good >= PROPORTION_GOOD_GOOD:
        word = "良好"
    elif bad < PROPORTION_BAD_MODERATE:
        word = "轻度污染"
    elif bad < PROPORTION_BAD_HEAVY:
        word = "中度污染"
    else:
        word = "重度污染"
    return ProportionRating(n, float(good), float(bad), word)


def uses_proportion_method(section_count: int) -> bool:
    return section_count >= int(parameters.value("proportion_min_sections"))  # type: ignore[arg-type]


# 评价办法 change between periods by status grade (water.md §2.6 [1SRC]): same grade → 无明显变化; one
# grade → 有所好转/有所变差; two or more → 明显好转/明显变差.
_GRADE = {"优": 0, "良好": 1, "轻度污染": 2, "中度污染": 3, "重度污染": 4}


def status_change(before: str, after: str) -> str:
    """Change of 水质状况 between two periods, e.g. status_change("轻度污染", "优") == "明显好转"."""
    if before not in _GRADE or after not in _GRADE:
        raise ValueError(f"水质状况只能是 {'、'.join(_GRADE)}，收到“{before}”“{after}”")
    step = _GRADE[after] - _GRADE[before]
    if step == 0:
        return "无明显变化"
    way = "好转" if step < 0 else "变差"
    return ("有所" if abs(step) == 1 else "明显") + way
