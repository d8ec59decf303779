"""Benchmark: accuracy of the plan importer (precision, recall, F1 per field), prose and tables apart.

Corpora (each document is imported in-process with `envgov.planio.import_plan`, with the district and
year its truth file gives, exactly as `plan_score.py` passes them to `envgov plan import`):

* **seeds** — /work/shared/seeds 001–003 against tests/planio/truth (written from the seeds). The seeds'
  truth writes units by their canonical registry name (truth/README.md), so on this corpus both sides'
  units go through the unit dictionary before comparing; everything else is compared as plan_score does.
* **plans-dev** — ../shared/data/plans-dev/NAME.txt against NAME.truth.json (names as written).
* **fixtures** — tests/planio/fixtures/tables/: task tables built for the importer (txt, docx, xlsx), each
  with a truth file written from the table.

A document counts as a table when its file name says `table` (plans-dev names its three tables so; the
fixtures follow it), else as prose. The comparison (title matching, unit/quantity keys, counts) is
`../shared/tools/plan_score.py`'s own `score()`, imported, not copied.

    .venv/bin/python benchmarks/plan_accuracy.py [--docs] [--corpus seeds|plans-dev|fixtures] [--show NAME]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIELDS = ("tasks", "deadlines", "units", "quantities", "targets")
SEEDS_TRUTH = {
    "003": ("003_735b581d06638fbb.txt", "003.json"),
    "002": ("002_da90e85bf4e2f2fd.txt", "002.json"),
    "001": ("001_7d0fb48903c1bf2b.txt", "001_tasks.json"),
}


def shared_dir() -> Path:
    for cand in (os.environ.get("ENVGOV_SHARED"), REPO.parent / "shared", Path("/work/shared")):
        if cand and (Path(cand) / "tools" / "plan_score.py").is_file():
            return Path(cand)
    raise SystemExit("cannot find ../shared (set ENVGOV_SHARED): tools/plan_score.py is needed")


def load_scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("plan_score", shared / "tools" / "plan_score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def documents(corpus: str, shared: Path):
    """(name, path, gold) of each document of a corpus."""
    if corpus == "seeds":
        for _, (doc, truth) in SEEDS_TRUTH.items():
            p = shared / "seeds" / doc
            t = REPO / "tests" / "planio" / "truth" / truth
            if p.exists() and t.exists():
                yield doc, p, json.loads(t.read_text(encoding="utf-8"))
        return
    folder = shared / "data" / "plans-dev" if corpus == "plans-dev" else REPO / "tests/planio/fixtures/tables"
    for truth in sorted(folder.glob("*.truth.json")):
        stem = truth.name.removesuffix(".truth.json")
        docs = [p for p in folder.glob(stem + ".*") if not p.name.endswith(".truth.json")]
        if docs:
            yield docs[0].name, docs[0], json.loads(truth.read_text(encoding="utf-8"))


def predict(path: Path, gold: dict) -> dict:
    from envgov.planio import PlanImportError, import_plan

    try:
        plan = import_plan(path, district=gold.get("district"), year=gold.get("year"))
    except PlanImportError as exc:
        print(f"  {path.name}: importer refused: {exc}")
        return {"tasks": [], "targets": []}
    return json.loads(plan.to_json())


def canonical_units(data: dict) -> dict:
    """The seeds' truth convention: units by their registry name, towns only under `towns`, quantities in
    their base unit (0.2万亩 → 2000 亩)."""
    from envgov.planio.units import UnitDictionary, is_town

    ud = UnitDictionary.load()
    out = json.loads(json.dumps(data))
    for t in out.get("tasks", []):
        t["units"] = [ud.canonical(u) for u in t.get("units") or [] if not is_town(u, ud)]
        t["quantities"] = [
            {**q, "value": q.get("base_value", q["value"]), "unit": q.get("base_unit", q["unit"])}
            for q in t.get("quantities") or []
        ]
    return out


def prf(tp: int, np_: int, ng: int) -> tuple[float, float, float]:
    if not np_ and not ng:
        return 1.0, 1.0, 1.0
    p = tp / np_ if np_ else 0.0
    r = tp / ng if ng else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run(corpus: str, scorer, shared: Path, show_docs: bool, show: str | None) -> dict:
    totals = {kind: {f: [0, 0, 0] for f in FIELDS} for kind in ("prose", "tables")}
    print(f"\n== {corpus}")
    for name, path, gold in documents(corpus, shared):
        pred = predict(path, gold)
        if corpus == "seeds":
            pred, gold = canonical_units(pred), canonical_units(gold)
        s = scorer.score(pred, gold)
        kind = "tables" if "table" in name else "prose"
        for f, (_, tp, np_, ng) in s.items():
            for i, v in enumerate((tp, np_, ng)):
                totals[kind][f][i] += v
        if show_docs:
            cells = " ".join(f"{f}={s[f][0]:.2f}({s[f][1]}/{s[f][2]}/{s[f][3]})" for f in FIELDS)
            print(f"  {'T' if kind == 'tables' else 'P'} {name[:44]:<44} {cells}")
        if show and show in name:
            explain(pred, gold, scorer)
    for kind, tot in totals.items():
        if not any(v[2] or v[1] for v in tot.values()):
            continue
        print(f"  {kind:<7} field        P      R      F1    (tp/pred/gold)")
        for f in FIELDS:
            tp, np_, ng = tot[f]
            p, r, f1 = prf(tp, np_, ng)
            bar = scorer.BAR[f]
            print(f"          {f:<11} {p:6.3f} {r:6.3f} {f1:6.3f}  ({tp}/{np_}/{ng}){'' if f1 >= bar else '  < ' + str(bar)}")
    return totals


def explain(pred: dict, gold: dict, scorer) -> None:
    """Misses and extras of one document, field by field (for finding rules, not for tuning to it)."""
    gt = {scorer.norm_title(t["title"]): t for t in gold["tasks"]}
    pt = {scorer.norm_title(t.get("title", "")): t for t in pred.get("tasks", [])}
    print("    tasks missed:", [gt[k]["title"][:20] for k in gt if k not in pt])
    print("    tasks extra: ", [pt[k]["title"][:20] for k in pt if k not in gt])
    for k in set(gt) & set(pt):
        g, p = gt[k], pt[k]
        for f, key in (
            ("units", lambda t: {scorer.norm_unit(u) for u in t.get("units") or []}),
            ("deadlines", lambda t: set(t.get("deadlines") or [])),
            ("quantities", lambda t: {scorer.qty_key(q) for q in t.get("quantities") or []}),
        ):
            a, b = key(p), key(g)
            if a != b:
                print(f"    {g['title'][:16]} {f}: missed {sorted(map(str, b - a))} extra {sorted(map(str, a - b))}")
    tk = lambda t: (round(float(t["value"]), 4), t.get("comparator"))  # noqa: E731
    a = {tk(t) for t in pred.get("targets", []) if t.get("value") is not None}
    b = {tk(t) for t in gold.get("targets", [])}
    if a != b:
        print(f"    targets: missed {sorted(map(str, b - a))} extra {sorted(map(str, a - b))}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", action="store_true", help="one line per document (F1 and tp/pred/gold)")
    ap.add_argument("--corpus", action="append", choices=["seeds", "plans-dev", "fixtures"])
    ap.add_argument("--show", help="explain the misses of documents whose name contains this")
    args = ap.parse_args()
    shared = shared_dir()
    scorer = load_scorer(shared)
    for corpus in args.corpus or ["seeds", "plans-dev", "fixtures"]:
        run(corpus, scorer, shared, args.docs, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
