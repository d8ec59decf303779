"""Run in a subprocess by test_concurrency.py: N reporters post progress to one task at the same instant,
each thread with its own database connection, on a real SQLite FILE (pytest-django's SQLite test database
lives in memory, where SQLite's file locking — the cause of "database is locked" — never happens).

    ENVGOV_DATA_DIR=/tmp/x python tests/apps/concurrency_probe.py 8 20 0
    → one round per busy timeout (20 s, then 0 s: no waiting, so the locks really collide), each on its own
      task with 8 lead units; prints [{"timeout": 20, "statuses": [...], "reports": n}, ...] as JSON

Not collected by pytest (no test_ prefix).
"""
from __future__ import annotations

import json
import os
import sys
import threading


def main(n: int, timeouts: list[int]) -> list[dict]:
    os.environ.pop("DATABASE_URL", None)  # the embedded SQLite file in ENVGOV_DATA_DIR
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envgov.web.settings")
    os.environ["ENVGOV_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("ENVGOV_TODAY", "2024-09-16")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    assert connection.vendor == "sqlite" and connection.settings_dict["NAME"] != ":memory:"
    assert connection.settings_dict["OPTIONS"].get("transaction_mode") == "IMMEDIATE"

    from envgov.apps.geo.models import District
    from envgov.apps.plans.models import Plan

    district = District.objects.create(adcode="110112", name="通州区")
    plan = Plan.objects.create(district=district, year=2024, title="通州区2024年工作计划", status=Plan.Status.ISSUED)
    rounds = []
    for r, timeout in enumerate(timeouts):
        task, quantity, keys = _task(plan, n, f"r{r}")
        connection.close()
        connection.settings_dict["OPTIONS"]["timeout"] = timeout  # read when each thread connects
        rounds.append({"timeout": timeout, **_race(task, quantity, keys)})
    return rounds


def _task(plan, n: int, tag: str):  # noqa: ANN001, ANN202
    from envgov.apps.accounts.models import ApiToken, Unit, User
    from envgov.apps.plans import progress
    from envgov.apps.plans.models import Area, Quantity, Task

    area = Area.objects.create(plan=plan, code=f"air-{tag}", name="蓝天", order=0)
    task = Task.objects.create(plan=plan, area=area, code=f"{tag}.1", title="多家单位共同牵头的任务")
    quantity = Quantity.objects.create(task=task, name="检查次数", unit="次", target_value=100)
    keys = []
    for i in range(n):
        unit = Unit.objects.create(district=plan.district, name=f"单位{tag}-{i}")
        task.lead_units.add(unit)
        user = User.objects.create_user(f"reporter-{tag}-{i}", password="pw-12345-x",
                                        role=User.Role.UNIT_REPORTER, district=plan.district, unit=unit)
        keys.append(ApiToken.issue(user, "probe")[1])
    progress.sync_parties(task)
    return task, quantity, keys


def _race(task, quantity, keys: list[str]) -> dict:  # noqa: ANN001
    from django.db import connection
    from django.test import Client

    from envgov.apps.plans.models import ProgressReport

    n = len(keys)
    barrier = threading.Barrier(n)
    results: list[tuple[int, str]] = [(0, "")] * n

    def post(i: int) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {keys[i]}", raise_request_exception=False)
        body = json.dumps({"narrative": f"第{i}家单位本月检查", "quantities": {str(quantity.pk): i + 1}})
        barrier.wait()
        try:
            response = client.post(f"/api/tasks/{task.pk}/progress", body, content_type="application/json")
            results[i] = (response.status_code, response.content.decode()[:300])
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"statuses": [s for s, _ in results], "bodies": [b for _, b in results],
            "reports": ProgressReport.objects.filter(task=task).count()}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), [int(x) for x in sys.argv[2:]] or [20]), ensure_ascii=False))
