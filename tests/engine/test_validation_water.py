"""Validation against the national release (all 1,698 sections, April 2021): the published class
(column 水质类别, read here straight from the file with the csv module, not through envgov) must be
reproduced for ≥ 95 % of the records that have one. docs/validation.md explains the rest with the
categories computed by `mismatch_categories`."""
from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

DATA = Path("/work/shared/data/water/cnemc_surface_water_auto_2021-04_all_sections.csv.gz")
pytestmark = pytest.mark.skipif(not DATA.exists(), reason="shared water data not present")
PUBLISHED = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "劣Ⅴ": 6}  # the release's labels (PROVENANCE.md §3)
ITEMS = {"ph": "pH(无量纲)", "do": "溶解氧(mg/L)", "codmn": "高锰酸盐指数(mg/L)", "nh3n": "氨氮(mg/L)", "tp": "总磷(mg/L)"}


def _raw_rows() -> list[dict[str, str]]:
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def compared():
    from envgov.engine import water
    from envgov.ingest.water_cnemc import read_release

    raw = _raw_rows()
    release = read_release(DATA)
    assert release.report.ok
    s = release.samples
    lake = water.lake_mask(s["site"], release.sections.kinds())
    ours = water.classify(s, lake).cls
    rows = s["row"].to_numpy()
    published = np.array([PUBLISHED.get(raw[r - 2]["水质类别"], 0) for r in rows])
    return raw, release, lake, ours, published


def test_published_class_reproduced_for_95_percent(compared):
    _, _, _, ours, published = compared
    has = published > 0
    rate = float(np.mean(ours[has] == published[has]))
    print(f"reproduced {int(np.sum(ours[has] == published[has]))} / {int(has.sum())} = {rate:.4f}")
    assert has.sum() > 38_000  # 38,982 after identical repeats are dropped (42,557 rows)
    assert rate >= 0.95


def mismatch_categories(raw, release, lake, ours, published) -> Counter:
    """Why a record's class differs from the published one, first matching category wins:
    rounding — the published class is reachable by moving each shown value by at most half its last shown
      digit (the release shows rounded values; e.g. CODMn "4.00" may be 4.004);
    kind — the published class is the one with the other TP scale (the section's kind per our rule
      differs from the one CNEMC used for this record);
    neighbour — the published class is the class we compute for the section's previous or next record;
    other."""
    import pyarrow as pa

    from envgov.engine import water

    s = release.samples
    rows = s["row"].to_numpy()
    vals = {k: s[k].to_numpy(zero_copy_only=False) for k in ITEMS}
    half = {}
    for k, col in ITEMS.items():
        txt = [raw[r - 2][col] for r in rows]
        half[k] = np.array([0.5 * 10.0 ** -(len(t.split(".")[1]) if "." in t else 0) for t in txt])

    def cls_of(d, lk):
        return water.classify(pa.table({k: pa.array(v, pa.float64()) for k, v in d.items()}), lk).cls

    better = {k: (vals[k] + half[k] if k == "do" else vals[k] - half[k]) for k in ITEMS}
    worse = {k: (vals[k] - half[k] if k == "do" else vals[k] + half[k]) for k in ITEMS}
    ph = vals["ph"]
    better["ph"] = np.where(np.abs(np.clip(ph, 6, 9) - ph) <= half["ph"], np.clip(ph, 6, 9), ph)
    worse["ph"] = np.where(ph >= 7.5, ph + half["ph"], ph - half["ph"])
    lo, hi = cls_of(better, lake), cls_of(worse, lake)
    other_kind = cls_of(vals, ~lake)
    site = s["site"].to_numpy(zero_copy_only=False)
    same_prev = np.r_[False, site[1:] == site[:-1]]
    same_next = np.r_[site[:-1] == site[1:], False]
    prev = np.r_[0, ours[:-1]]
    nxt = np.r_[ours[1:], 0]
    out: Counter = Counter()
    mis = (published > 0) & (ours != published)
    for i in np.nonzero(mis)[0]:
        p = published[i]
        if lo[i] <= p <= hi[i]:
            out["rounding"] += 1
        elif other_kind[i] == p:
            out["kind"] += 1
        elif (same_prev[i] and prev[i] == p) or (same_next[i] and nxt[i] == p):
            out["neighbour"] += 1
        else:
            out["other"] += 1
    return out


def test_mismatches_are_categorised(compared):
    raw, release, lake, ours, published = compared
    cats = mismatch_categories(raw, release, lake, ours, published)
    mis = int(np.sum((published > 0) & (ours != published)))
    print(dict(cats), mis)
    assert sum(cats.values()) == mis
    # most differences are explained by display rounding or the section's kind (docs/validation.md)
    assert cats["other"] < 0.1 * mis
