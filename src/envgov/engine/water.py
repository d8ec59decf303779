"""Surface-water engine: classes per sample and per period, target attainment, 劣Ⅴ, main pollutants with
exceedance multiples, shares of sections ≥ Ⅲ and 劣Ⅴ, rating a river or a district from its sections.

Input is a wide pyarrow table (site, time, one float column per parameter code: ph, do, codmn, nh3n, tp,
…; absent parameters may be left out) and each site's kind (river / lake-reservoir). Every figure goes
through `envgov.standards.water.assess` (NumPy, one call per item over all rows — no Python loop per
value); period means are Arrow group-bys. Classes are int8: 1–5 = Ⅰ–Ⅴ, 6 = 劣Ⅴ, 0 = not assessable.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from envgov.standards.water import assess, parameters
from envgov.standards.water.tables import (
    ASSESSMENT_METHOD,
    CLASS_LABELS,
    DO_SATURATION_CODE,
    GB3838,
    LAKE,
    RIVER,
    STATUS,
    WORSE_THAN_V,
)

# Binary noise of a mean (0.1 + 0.1 + 0.1)/3 = 0.10000000000000002 must not cross a limit: period means
# are rounded to this many decimals before comparison (far below any reported precision; not a 修约 rule).
MEAN_DECIMALS = 10


def lake_mask(sites: pa.Array | pa.ChunkedArray | Sequence[str], kinds: Mapping[str, str]) -> np.ndarray:
    """Boolean per row: True where the row's site is a lake/reservoir in `kinds` (site → "river"/"lake");
    sites missing from `kinds` are rivers (callers check completeness where it matters)."""
    arr = pa.chunked_array([pa.array(sites)]) if not isinstance(sites, (pa.Array, pa.ChunkedArray)) else sites
    lakes = pa.array(sorted(s for s, k in kinds.items() if k == LAKE), type=pa.string())
    if len(lakes) == 0:
        return np.zeros(len(arr), dtype=bool)
    return pc.is_in(arr.cast(pa.string()), value_set=lakes).to_numpy(zero_copy_only=False).astype(bool)


def _column(wide: pa.Table, code: str) -> np.ndarray:
    if code not in wide.column_names:
        return np.full(wide.num_rows, np.nan)
    return pc.cast(wide[code], pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


@dataclass
class WaterClasses:
    """Classes of n rows (samples or period means)."""

    cls: np.ndarray  # (n,) int8
    codes: tuple[str, ...]  # counting items, column order of the matrices below (rivers' list)
    item_classes: np.ndarray  # (n, k) int8, 0 = no value / not applicable
    multiples: np.ndarray  # (n, k) exceedance multiple against class Ⅲ (NaN: no value or no multiple)
    lake: np.ndarray  # (n,) bool

    @property
    def labels(self) -> np.ndarray:
        """Ⅰ…Ⅴ / 劣Ⅴ / "" per row."""
        return np.array(["", *(CLASS_LABELS[c] for c in range(1, 7))], dtype=object)[self.cls]

    def primary(self) -> np.ndarray:
        """(n, 3) indices into `codes` of each row's main pollutants (−1 = none)."""
        return assess.primary_order(self.item_classes, self.multiples, self.codes)

    def primary_text(self, rows: np.ndarray | None = None) -> list[list[str]]:
        """Main pollutants as the method writes them, e.g. ["总磷(1.5)"], for the given rows (all if None)."""
        idx = self.primary() if rows is None else assess.primary_order(
            self.item_classes[rows], self.multiples[rows], self.codes)
        mult = self.multiples if rows is None else self.multiples[rows]
        return [[assess.format_pollutant(self.codes[j], mult[r, j]) for j in row if j >= 0]
                for r, row in enumerate(idx)]


def classify(wide: pa.Table, lake: np.ndarray) -> WaterClasses:
    """Single-factor class of every row: worst class over the counting items that have a value."""
    codes = assess.counting_items(RIVER)
    tn_lake = "tn" in assess.counting_items(LAKE)
    if tn_lake:
        codes = (*codes, "tn")  # TN columns are 0 for rivers (item_class: lakes only)
    n = wide.num_rows
    sat = _column(wide, DO_SATURATION_CODE) if DO_SATURATION_CODE in wide.column_names else None
    item_cls = np.zeros((n, len(codes)), dtype=np.int8)
    mult = np.full((n, len(codes)), np.nan)
    for j, code in enumerate(codes):
        if code not in wide.column_names:
            continue
        v = _column(wide, code)
        item_cls[:, j] = assess.item_class(code, v, lake, sat if code == "do" else None)
        mult[:, j] = assess.exceedance_multiple(code, v, lake)
        if code == "tn":
            mult[~lake, j] = np.nan
    cls = item_cls.max(axis=1) if len(codes) else np.zeros(n, dtype=np.int8)
    return WaterClasses(cls.astype(np.int8), tuple(codes), item_cls, mult, np.asarray(lake, dtype=bool))


def period_means(wide: pa.Table, period: str = "month", codes: Sequence[str] | None = None) -> pa.Table:
    """Arithmetic mean of each parameter per site and period (评价办法 §2.2, water.md: one sample or the
    mean of several). period: "month" (YYYY-MM), "quarter" (YYYY-Qn), "year" (YYYY) or "all".

    Columns: site, period, samples (rows of the period), then each parameter's mean (NULL where the
    period has no value of it). Periods with fewer samples than the parameter `period_min_samples` keep
    their row with every mean NULL (not assessable)."""
    if codes is None:
        codes = [c for c in wide.column_names
                 if c not in ("site", "time") and pa.types.is_floating(wide.schema.field(c).type)]
    codes = [c for c in codes if c in wide.column_names]
    wide = wide.filter(pc.is_valid(wide["time"]))  # rows without a time belong to no period
    t = wide.select(["site", "time", *codes])
    key = _period_key(t["time"], period)
    t = t.append_column("period", key)
    agg = t.group_by(["site", "period"], use_threads=False).aggregate(
        [("time", "count")] + [(c, "mean") for c in codes])
    out = {"site": agg["site"], "period": agg["period"], "samples": agg["time_count"]}
    minimum = int(parameters.value("period_min_samples"))  # type: ignore[arg-type]
    enough = pc.greater_equal(agg["time_count"], minimum)
    for c in codes:
        m = pc.round(agg[f"{c}_mean"], MEAN_DECIMALS)
        out[c] = pc.if_else(enough, m, pa.scalar(None, pa.float64()))
    res = pa.table(out)
    return res.sort_by([("site", "ascending"), ("period", "ascending")])


def _period_key(times: pa.ChunkedArray, period: str) -> pa.ChunkedArray:
    if period == "all":
        return pa.chunked_array([pa.array(["全部"] * len(times), pa.string())])
    if period == "month":
        return pc.strftime(times, format="%Y-%m")
    if period == "year":
        return pc.strftime(times, format="%Y")
    if period == "quarter":
        q = pc.add(pc.divide(pc.subtract(pc.month(times), 1), 3), 1)
        return pc.binary_join_element_wise(pc.strftime(times, format="%Y"), pc.cast(q, pa.string()), "-Q")
    raise ValueError(f"时段只能是 month、quarter、year 或 all，收到“{period}”")


def targets_of(sites: pa.Array | pa.ChunkedArray, targets: Mapping[str, int | None]) -> np.ndarray:
    """Target class per row from site → target (0 where the site has none)."""
    known = {s: t for s, t in targets.items() if t}
    if not known:
        return np.zeros(len(sites), dtype=np.int8)
    codes = pa.array(list(known), pa.string())
    values = pa.array(list(known.values()), pa.int8())
    pos = pc.index_in(sites.cast(pa.string()) if isinstance(sites, (pa.Array, pa.ChunkedArray)) else
                      pa.array(sites, pa.string()), value_set=codes)
    return pc.fill_null(pc.take(values, pos), 0).to_numpy(zero_copy_only=False).astype(np.int8)


def attainment(cls: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per row: 1 attained (class ≤ target), 0 not, −1 unknown (not assessable, or no target: target 0)."""
    cls = np.asarray(cls)
    target = np.asarray(target)
    return np.where((cls == 0) | (target == 0), -1, np.where(cls <= target, 1, 0)).astype(np.int8)


def target_exceedances(wide: pa.Table, lake: np.ndarray, target: np.ndarray, classes: WaterClasses
                       ) -> list[dict[str, float]]:
    """GB 3838 §5: the items exceeding each row's target class and their multiples against the target
    class's limit (DO and pH named without a multiple, NaN)."""
    target = np.asarray(target, dtype=np.int64)
    over = (classes.item_classes > target[:, None]) & (target[:, None] > 0) & (classes.item_classes > 0)
    mult = np.full(classes.item_classes.shape, np.nan)
    for j, code in enumerate(classes.codes):
        if over[:, j].any() and code in wide.column_names:
            basis = np.clip(target, 1, 5)
            mult[:, j] = assess.exceedance_multiple(code, _column(wide, code), lake, basis)
    rows, cols = np.nonzero(over)
    out: list[dict[str, float]] = [{} for _ in range(wide.num_rows)]
    for r, j in zip(rows.tolist(), cols.tolist()):
        out[r][classes.codes[j]] = float(mult[r, j])
    return out


@dataclass(frozen=True)
class Shares:
    sections: int  # assessed sections
    good: int  # classes Ⅰ–Ⅲ
    worse_than_v: int
    share_good: float  # %
    share_worse_than_v: float  # %


def shares(cls: np.ndarray) -> Shares:
    """Shares of sections in classes Ⅰ–Ⅲ (≥ Ⅲ, "达到或好于Ⅲ类") and 劣Ⅴ among the assessed ones."""
    c = np.asarray(cls)
    c = c[c > 0]
    n = int(c.size)
    good = int(np.count_nonzero(c <= 3))
    bad = int(np.count_nonzero(c == WORSE_THAN_V))
    return Shares(n, good, bad, 100.0 * good / n if n else float("nan"), 100.0 * bad / n if n else float("nan"))


def rate_sections(section_means: pa.Table, lake: np.ndarray, name: str = "") -> dict[str, Any]:
    """A river, basin or district rated from its sections (water.md §2.5).

    `section_means`: one row per section (site + parameter means of the period, e.g. from
    `period_means`). Fewer sections than `proportion_min_sections`: mean of each indicator over the
    sections, then single factor (class and status as for a section); otherwise the section-class
    proportion method (status from the shares of Ⅰ–Ⅲ and 劣Ⅴ)."""
    per_section = classify(section_means, lake)
    assessed = int(np.count_nonzero(per_section.cls))
    share = shares(per_section.cls)
    out: dict[str, Any] = {"name": name, "sections": section_means.num_rows, "assessed_sections": assessed,
                           "share_good": share.share_good, "share_worse_than_v": share.share_worse_than_v}
    if assess.uses_proportion_method(assessed):
        rating = assess.proportion_rating(per_section.cls)
        out |= {"method": "proportion", "class": None, "status": rating.status,
                "primary_pollutants": river_primary_pollutants(per_section)}
    else:
        codes = [c for c in section_means.column_names if c not in ("site", "period", "samples", "time")
                 and pa.types.is_floating(section_means.schema.field(c).type)]
        means = {c: pc.round(pc.mean(section_means[c]), MEAN_DECIMALS) for c in codes}
        # a mixed set (river and lake sections) is rated on river limits unless all sections are lakes
        kind_all_lake = bool(len(lake)) and bool(np.all(lake))
        one = pa.table({c: pa.array([means[c].as_py()], pa.float64()) for c in codes})
        res = classify(one, np.array([kind_all_lake]))
        c = int(res.cls[0])
        # fewer sections than the proportion method needs: main pollutants by the section method, per
        # section (water.md §2.4)
        by_section = dict(zip(section_means["site"].to_pylist(), per_section.primary_text()))
        out |= {"method": "mean", "class": CLASS_LABELS.get(c, ""), "status": STATUS[c].word if c else "",
                "primary_pollutants_by_section": by_section}
    out["provenance"] = provenance()
    return out


def river_primary_pollutants(per_section: WaterClasses) -> list[dict[str, Any]]:
    """River/basin main pollutants (water.md §2.4): the items exceeding class Ⅲ ranked by section
    exceedance rate (share of assessed sections where the item is worse than Ⅲ), top 3."""
    assessed = per_section.cls > 0
    n = int(np.count_nonzero(assessed))
    if not n:
        return []
    over = (per_section.item_classes[assessed] > 3).sum(axis=0)
    order = np.lexsort((np.arange(len(over)), -over))
    from envgov.standards.water.tables import BY_CODE

    return [{"item": per_section.codes[j], "label": BY_CODE[per_section.codes[j]].label,
             "exceeding_sections": int(over[j]), "exceeding_share": 100.0 * float(over[j]) / n}
            for j in order[:3] if over[j] > 0]


def provenance() -> dict[str, Any]:
    return {"standard": GB3838.id, "method": f"{ASSESSMENT_METHOD.title}（{ASSESSMENT_METHOD.id}）",
            "parameters": parameters.provenance()}
