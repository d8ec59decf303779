"""Benchmark: the water app on a national release — import into the platform and the sections page's month
figures — beside the core alone (`envgov water classify --period month`, no database) on the same file.

    .venv/bin/python benchmarks/water_app.py

A fresh SQLite data directory (migrate), one district, then in one process: `services.import_file` of the
April 2021 national release (/work/shared/data/water, 46,183 rows, 1,698 sections: located checks, sections
created with the kind rule, 41,121 samples stored), `services.month_overview` (every section's April class,
attainment, main pollutants, shares and the district rating, from the stored samples), and the share of
stored samples whose own class is the published one. The peer is the CLI computing the same month classes
from the file in a fresh process (its wall time includes reading and checking the file). No acceptance
figure was set by the issue; this records the cost of storing so that regressions show.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SOURCE = Path("/work/shared/data/water/cnemc_surface_water_auto_2021-04_all_sections.csv.gz")

CHILD = r'''
import time, numpy as np, pyarrow as pa, django
django.setup()
from envgov.apps.geo.models import District
from envgov.apps.water import services
from envgov.apps.water.models import Sample, VALUE_CODES
from envgov.engine import water
d = District.objects.create(adcode="110112", name="通州区")
t = time.perf_counter(); out = services.import_file(SOURCE, district=d, acting_user=None)
t_import = time.perf_counter() - t
t = time.perf_counter(); ov = services.month_overview(d, "2021-04"); t_ov = time.perf_counter() - t
rows = list(Sample.objects.values_list("section__code", "section__kind", "published_class", *VALUE_CODES))
wide = pa.table({"site": [r[0] for r in rows], **{c: pa.array([r[i + 3] for r in rows], pa.float64())
                                                  for i, c in enumerate(VALUE_CODES)}})
res = water.classify(wide, water.lake_mask(wide["site"], {r[0]: r[1] for r in rows}))
pub = np.array([r[2] or 0 for r in rows]); has = pub > 0
print(f"RESULT {out.record.state} {out.record.samples} {out.record.sections_created} {t_import:.2f} {t_ov:.2f} "
      f"{int((res.cls[has] == pub[has]).sum())} {int(has.sum())} {ov['shares'].sections}")
'''


def main() -> int:
    if not SOURCE.exists():
        print(f"missing {SOURCE}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update({"PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "envgov.web.settings",
                    "ENVGOV_DATA_DIR": tmp, "ENVGOV_DEBUG": "0"})
        subprocess.run([PY, "-m", "django", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        child = f"import pathlib\nSOURCE = pathlib.Path({str(SOURCE)!r})\n" + CHILD
        t = time.perf_counter()
        app = subprocess.run([PY, "-c", child], env=env, cwd=ROOT, capture_output=True, text=True)
        t_app = time.perf_counter() - t
        line = next((x for x in app.stdout.splitlines() if x.startswith("RESULT")), None)
        if line is None:
            print(app.stdout[-2000:], app.stderr[-2000:])
            return 1
        state, samples, created, t_import, t_ov, same, published, assessed = line.split()[1:]
        t = time.perf_counter()
        peer = subprocess.run([PY, "-c", "from envgov.cli import main; main()", "water", "classify", str(SOURCE), "--period", "month",
                               "--format", "csv", "-o", str(Path(tmp) / "peer.csv")], env=env, cwd=ROOT,
                              capture_output=True, text=True)
        t_peer = time.perf_counter() - t
    print(f"water app on {SOURCE.name}: import {state}, {samples} samples, {created} sections, {t_import} s; "
          f"month overview of {assessed} assessed sections {t_ov} s; process {t_app:.1f} s")
    print(f"  stored samples' own class = published class: {same} / {published} "
          f"({100 * int(same) / max(int(published), 1):.2f} %)")
    print(f"peer (core alone, no database): envgov water classify --period month, fresh process {t_peer:.1f} s "
          f"(exit {peer.returncode})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
