"""Benchmark: import a ~100-page plan (≈150,000 characters) in under 5 s.

The seed documents are concatenated (each renumbered as its own chapter so the result still reads as one
plan) until the text reaches the target size; the import is timed end to end (reading bytes, encoding
detection, normalisation, outline, extraction).

    .venv/bin/python benchmarks/plan_import.py [--chars 150000] [--seeds /work/shared/seeds]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

CHAPTERS = "一二三四五六七八九十"


def build_document(seeds: Path, chars: int) -> str:
    files = sorted(p for p in seeds.glob("*.txt"))
    if not files:
        raise SystemExit(f"no seed documents in {seeds}")
    texts = [p.read_text(encoding="utf-8") for p in files]
    parts = ["北京市某区2024年生态环境保护工作计划（基准测试合成文本）\n"]
    size, i = 0, 0
    while size < chars:
        t = texts[i % len(texts)]
        parts.append(t)
        size += len(t)
        i += 1
    return "\n".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=150_000)
    ap.add_argument("--seeds", type=Path, default=Path("/work/shared/seeds"))
    ap.add_argument("--limit", type=float, default=5.0, help="seconds allowed")
    args = ap.parse_args()

    from envgov.planio import import_plan

    doc = build_document(args.seeds, args.chars)
    data = doc.encode("utf-8")
    import_plan(data[:20_000], "warmup.txt", year=2024)  # module imports and caches, not part of the timing

    tracemalloc.start()
    t0 = time.perf_counter()
    plan = import_plan(data, "benchmark.txt", year=2024)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    t0 = time.perf_counter()
    plan = import_plan(data, "benchmark.txt", year=2024)
    elapsed_untraced = time.perf_counter() - t0

    pages = len(doc) / 1500
    print(f"document: {len(doc):,} characters (≈{pages:.0f} pages of 1,500 characters)")
    print(f"result:   {len(plan.tasks)} tasks, {len(plan.targets)} targets")
    print(
        f"time:     {elapsed_untraced:.2f} s (with memory tracing {elapsed:.2f} s), limit {args.limit:.1f} s"
    )
    print(f"memory:   peak {peak / 1e6:.1f} MB traced Python allocations")
    ok = elapsed_untraced < args.limit
    print("OK" if ok else "TOO SLOW")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
