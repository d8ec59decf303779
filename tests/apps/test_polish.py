"""Polish users notice: Chinese 403/404/500/CSRF pages in the site's layout (the 500 page without a
database query), a long list of ledger-import errors summarised by kind with the full list downloadable,
and `make run PORT=…`."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import clear_url_caches, path
from openpyxl import load_workbook

from envgov.apps.plans.models import Task

REPO = Path(__file__).resolve().parents[2]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user, language: str | None = None) -> Client:
    c = Client()
    c.force_login(user)
    if language:
        c.cookies["django_language"] = language
    return c


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# ---------------------------------------------------------------- error pages

def test_404_in_chinese_in_the_layout(world):
    r = client_for(world["coordinator"]).get("/tasks/999999/")
    assert r.status_code == 404
    text = text_of(r)
    assert "页面不存在" in text and "不在您的管辖范围内" in text
    assert "行动计划" in text and "退出" in text  # the site's header, with the signed-in user's menu
    assert "Not Found" not in text and "The requested resource" not in text
    r = client_for(world["coordinator"], "en").get("/no-such-page/")
    assert r.status_code == 404 and "Page not found" in text_of(r) and "页面不存在" not in text_of(r)


def test_403_in_chinese_with_the_reason(world):
    r = client_for(world["unit_a"]).get("/manage/")
    assert r.status_code == 403
    text = text_of(r)
    assert "没有权限" in text and "您没有权限访问此页面" in text and "我的任务" in text
    assert "Forbidden" not in text


def test_csrf_failure_page_in_chinese(world):
    r = Client(enforce_csrf_checks=True).post("/login/", {"username": "coordinator", "password": "pw-12345-x"})
    assert r.status_code == 403
    text = text_of(r)
    assert "页面已过期" in text and "CSRF" not in text and "Forbidden" not in text


def test_500_page_renders_without_a_database_query():
    """No django_db mark: pytest-django makes any database access in this test raise, so the page
    rendering at all proves it needs none (a 500 may be the database failing)."""
    from envgov.web import errors

    from django.utils.functional import SimpleLazyObject

    from envgov.apps.accounts.models import User

    request = RequestFactory().get("/tasks/1/")
    request.user = SimpleLazyObject(lambda: User.objects.get(pk=1))  # as the auth middleware sets it: a query
    r = errors.server_error(request)
    assert r.status_code == 500
    text = text_of(r)
    assert "系统出错" in text and "envgov" in text and "Server Error" not in text


def test_500_through_the_stack(world, settings):
    def boom(request):
        raise RuntimeError("internal detail that must not be shown")

    from envgov.apps.accounts.scope import scoped
    from envgov.web import urls as site_urls

    module = types.ModuleType("envgov_test_boom_urls")
    module.urlpatterns = [path("boom/", scoped("any_user")(boom)), *site_urls.urlpatterns]
    module.handler500 = site_urls.handler500
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    try:
        c = Client(raise_request_exception=False)
        c.force_login(world["coordinator"])
        r = c.get("/boom/")
    finally:
        del sys.modules[module.__name__]
        clear_url_caches()
    assert r.status_code == 500
    text = text_of(r)
    assert "系统出错" in text and "internal detail" not in text and "Traceback" not in text


# ---------------------------------------------------------------- a long list of import errors

def _many_tasks(world, n: int = 40) -> list[Task]:
    plan, area = world["plan"], world["task_unit_a"].area
    tasks = []
    for i in range(n):
        t = Task.objects.create(plan=plan, area=area, code=f"九.{i + 1}", order=100 + i, title=f"批量任务{i + 1}",
                                due_date=dt.date(2024, 12, 31))
        t.lead_units.add(world["u_dev"])
        tasks.append(t)
    return tasks


def _upload(client: Client, plan, data: bytes):
    return client.post(f"/plans/{plan.pk}/tasks/import/",
                       {"op": "preview", "file": SimpleUploadedFile("台账.xlsx", data, content_type=XLSX)})


def test_long_error_list_shows_a_summary_the_first_rows_and_downloads_in_full(world):
    plan = world["plan"]
    tasks = _many_tasks(world)
    c = client_for(world["coordinator"])
    exported = c.get(f"/plans/{plan.pk}/tasks/export.xlsx").content
    wb = load_workbook(io.BytesIO(exported))
    ws = wb["任务台账"]
    rows = {ws[f"H{r}"].value: r for r in range(4, ws.max_row + 1)}
    bad_dates = [rows[t.pk] for t in tasks[:30]]
    bad_units = [rows[t.pk] for t in tasks[30:36]]
    for r in bad_dates:
        ws[f"E{r}"] = "明年"
    for r in bad_units:
        ws[f"C{r}"] = f"区宣传部{r}"
    out = io.BytesIO()
    wb.save(out)
    r = _upload(c, plan, out.getvalue())
    assert r.status_code == 200
    page = r.content.decode()
    summary = page.split('id="import-error-summary"', 1)[1].split("</table>", 1)[0]
    kinds = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
             for row in re.findall(r"<tr>(.*?)</tr>", summary, re.S)[1:]]
    assert len(kinds) == 2
    assert kinds[0].startswith("完成时限 日期“…”无法识别") and " 30 " in kinds[0]
    assert kinds[0].endswith("、".join(str(x) for x in bad_dates[:5]) + " …")
    assert kinds[1].startswith("牵头单位 单位“…”不在本区单位名录中") and " 6 " in kinds[1]
    text = text_of(r)
    assert "发现 36 处错误，文件未保存" in text and "另有 16 处错误未在此列出" in text
    assert len(re.findall(r'<li class="msg error">', page)) == 20
    assert f"第{bad_dates[0]}行「完成时限」列：日期“明年”无法识别" in text
    assert f"区宣传部{bad_units[-1]}" not in text  # row 36 of the list: only in the download

    body = c.get(f"/plans/{plan.pk}/tasks/import/errors.csv")
    assert body.status_code == 200 and body["Content-Type"].startswith("text/csv")
    assert body.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert lines[0] == ["行", "列", "错误"] and len(lines) == 37
    assert [str(bad_units[-1]), "牵头单位",
            f"单位“区宣传部{bad_units[-1]}”不在本区单位名录中（可在“管理 › 责任单位”添加单位或别名）"] in lines
    book = c.get(f"/plans/{plan.pk}/tasks/import/errors.xlsx")
    assert book.status_code == 200 and book["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet.max_row == 39 and [cell.value for cell in sheet[3]] == ["行", "列", "错误"]  # title, note, header

    # a clean upload afterwards: nothing left to download
    r = _upload(c, plan, exported)
    assert "import-error-summary" not in r.content.decode()
    r = c.get(f"/plans/{plan.pk}/tasks/import/errors.csv")
    assert r.status_code == 302
    # another district's coordinator cannot read this plan's list
    assert client_for(world["other_coordinator"]).get(f"/plans/{plan.pk}/tasks/import/errors.csv").status_code == 404


def test_a_short_error_list_is_shown_whole_without_a_summary(world):
    plan, task = world["plan"], world["task_unit_a"]
    c = client_for(world["coordinator"])
    exported = c.get(f"/plans/{plan.pk}/tasks/export.xlsx").content
    wb = load_workbook(io.BytesIO(exported))
    ws = wb["任务台账"]
    row = next(r for r in range(4, ws.max_row + 1) if ws[f"H{r}"].value == task.pk)
    ws[f"E{row}"] = "2024-13-45"
    out = io.BytesIO()
    wb.save(out)
    page = _upload(c, plan, out.getvalue()).content.decode()
    assert "import-error-summary" not in page and len(re.findall(r'<li class="msg error">', page)) == 1
    assert "errors.xlsx" in page  # the download is offered all the same


# ---------------------------------------------------------------- make run PORT=…

@pytest.mark.parametrize("args, port", [([], "8000"), (["PORT=8001"], "8001")])
def test_make_run_port(args, port):
    out = subprocess.run(["make", "-n", "run", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout
    served = [line for line in out.splitlines() if "runserver" in line]
    assert len(served) == 1 and f"runserver 127.0.0.1:{port} " in served[0]
