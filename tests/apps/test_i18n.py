"""English UI: the committed catalogue (src/envgov/web/locale/en) is complete and compiled, pages switch to
English through the language cookie or the set_language form, and Chinese stays the default.

The msgids are the Chinese source text, so on an English page any Chinese left must be data (names, titles)
from the fixture — never a catalogue string, which would mean a stale .mo or a broken LOCALE_PATHS."""
from __future__ import annotations

import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from envgov.apps.supervision import actions as supervision
from envgov.apps.plans import actions

LOCALE_EN = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
LEFTOVER = re.compile(r"\{%|%\}|\{\{|\}\}|\{#")  # an unrendered template tag or variable
FORMAT_SPEC = re.compile(r"%\([a-z_]+\)[sd]")


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s[1:-1])


FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file (obsolete `#~` entries skipped): msgid, msgctxt, flags and `forms`, the
    translations keyed as the compiled catalogue keys them — msgid (with a `ctxt\x04` prefix under a
    context) for a plain entry, (msgid, n) for each plural form."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, list[str]] = {}
        flags: set[str] = set()
        current: list[str] | None = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif m := FIELD.match(line):
                current = fields.setdefault(m.group(1), [])
                current.append(_unquote(m.group(2)))
            elif line.startswith('"') and current is not None:
                current.append(_unquote(line))
        if "msgid" not in fields:
            continue
        text = {name: "".join(parts) for name, parts in fields.items()}
        key = (text["msgctxt"] + "\x04" if "msgctxt" in text else "") + text["msgid"]
        if "msgid_plural" in text:
            forms = {(key, int(name[7:-1])): value for name, value in text.items() if name.startswith("msgstr[")}
        else:
            forms = {key: text.get("msgstr", "")}
        entries.append({"msgid": text["msgid"], "plural": text.get("msgid_plural"), "forms": forms, "flags": flags})
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    entries = parse_po(LOCALE_EN / "django.po")
    assert entries[0]["msgid"] == "", "the header entry comes first"
    header = entries[0]["forms"][""]
    assert "Language: en\n" in header and "nplurals=2" in header
    return entries[1:]


def test_po_every_msgid_translated_not_fuzzy_placeholders_kept(catalogue):
    assert len(catalogue) > 300  # templates + models + forms; a broken extraction would give a handful
    empty = [e["msgid"] for e in catalogue if any(not v.strip() for v in e["forms"].values())]
    fuzzy = [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]]
    assert not empty, f"untranslated (run `make messages`, translate, run it again): {empty}"
    assert not fuzzy, f"fuzzy entries (check the English, drop the flag): {fuzzy}"
    for e in catalogue:
        if e["plural"] is not None:
            assert len(e["forms"]) == 2, f"English has two plural forms: {e['msgid']}"
        for translated in e["forms"].values():
            assert sorted(FORMAT_SPEC.findall(e["msgid"])) == sorted(FORMAT_SPEC.findall(translated)), e["msgid"]
    # English, not a copy of the source — except the language's own name in the switcher
    untouched = [e["msgid"] for e in catalogue
                 if CJK_RUN.search(e["msgid"]) and e["msgid"] in e["forms"].values()]
    assert untouched == ["简体中文"]


def test_mo_is_compiled_from_the_current_po(catalogue):
    with (LOCALE_EN / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog  # the parsed .mo, stdlib only
    in_po = {k: v for e in catalogue for k, v in e["forms"].items()}
    in_mo = {k: v for k, v in compiled.items() if k != ""}
    assert in_mo == in_po, "django.mo is stale: run `make messages`"


# --- pages -------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SUPERVISION_TITLE = "请加快抽检进度"


def client_for(user=None, language: str | None = None) -> Client:
    c = Client()
    if language:
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        c.force_login(user)
    return c


def fixture_text(world) -> str:
    """Every Chinese string the `world` fixture (and the test's own report) puts into the database."""
    from envgov.apps.accounts.models import Unit
    from envgov.apps.geo.models import District, Town
    from envgov.apps.plans.models import Area, Plan, Quantity, Task

    parts = ["进展", SUPERVISION_TITLE]
    parts += [d.name for d in District.objects.all()] + [t.name for t in Town.objects.all()]
    parts += [u.name for u in Unit.objects.all()] + [p.title for p in Plan.objects.all()]
    parts += [a.name for a in Area.objects.all()] + [t.title + t.code for t in Task.objects.all()]
    parts += [q.name + q.unit for q in Quantity.objects.all()]
    return " ".join(parts)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    attrs = re.findall(r'(?:placeholder|title|aria-label|alt)="([^"]*)"', html)
    return " ".join(re.findall(r">([^<]*)<", html) + attrs)


def page_cases(world, item) -> list[tuple[str, object, list[str]]]:
    plan = world["plan"]
    return [
        (reverse("plan_overview", args=[plan.pk]), world["coordinator"],
         ["Overview", "Task ledger", "Supervision", "Total tasks", "Completion by lead unit", "Lead unit"]),
        (reverse("task_list", args=[plan.pk]), world["coordinator"],
         ["Task ledger", "Lead unit", "Cooperating units", "Deadline", "Not started", "Export Excel"]),
        (reverse("supervision_board", args=[plan.pk]), world["coordinator"],
         ["Supervision", "Check overdue and delayed tasks now", "Under supervision", "Manual supervision",
          "Deadline", "Past deadline"]),
        (reverse("supervision_detail", args=[item.pk]), world["unit_a"],
         ["Supervision items", "Feedback deadline", "Rectification feedback", "Submit feedback"]),
        (reverse("task_detail", args=[world["task_unit_a"].pk]), world["coordinator"],
         ["Lead unit", "Cooperating units", "Workload", "Completed to date", "Progress history"]),
        (reverse("my_tasks"), world["unit_a"], ["My tasks", "Deadline", "This period", "Unit reporter",
                                                 "Supervision items awaiting feedback",
                                                 "to do."]),  # a plural form
        (reverse("air_dashboard"), world["coordinator"], ["Air quality", "Import monitoring data"]),
        (reverse("login"), None, ["Log in", "Username", "Password"]),
    ]


@pytest.mark.django_db
def test_pages_in_english_show_no_catalogue_chinese(world, catalogue):
    actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="进展")
    item = supervision.open_supervision(world["plan"], acting_user=world["coordinator"], title=SUPERVISION_TITLE,
                                    due_date=dt.date(2024, 1, 31), task=world["task_unit_a"],
                                    addressee_unit=world["u_market"])
    msgids = {e["msgid"] for e in catalogue if CJK_RUN.search(e["msgid"])}
    data = fixture_text(world)
    for url, user, words in page_cases(world, item):
        response = client_for(user, "en").get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en"' in html, url
        text = visible_text(html)
        for word in words:
            assert word in text, (url, word)
        assert not LEFTOVER.search(text), (url, LEFTOVER.search(text))
        # Chinese outside the fixture's data must not be a catalogue string (that would be a stale .mo).
        # A string added to a template after the last `make messages` is not failed here, so that
        # template edits do not break this suite; the catalogue test and `make messages` catch those.
        runs = [r for r in CJK_RUN.findall(text) if r not in data and r != "简体中文"]
        assert not [r for r in runs if r in msgids], f"{url}: catalogue strings left in Chinese: {runs}"
        # a catalogue string standing alone whose characters also occur in data (区 inside 通州区)
        alone = {t.strip() for t in re.findall(r">([^<]+)<", html)} & msgids
        assert alone <= {"简体中文"}, (url, alone)


@pytest.mark.django_db
def test_default_is_chinese(world):
    plan = world["plan"]
    html = client_for(world["coordinator"]).get(reverse("task_list", args=[plan.pk])).content.decode()
    assert '<html lang="zh-hans"' in html
    assert "任务台账" in html and "牵头单位" in html and "未开始" in html
    assert "Task ledger" not in html and "Lead unit" not in html
    login = client_for().get(reverse("login")).content.decode()
    assert "登录" in login and "Log in" not in login


@pytest.mark.django_db
def test_set_language_form_switches_and_back(world):
    c = client_for(world["unit_a"])
    my = reverse("my_tasks")
    r = c.post(reverse("set_language"), {"language": "en", "next": my})
    assert r.status_code == 302 and r["Location"] == my
    assert c.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = c.get(my).content.decode()
    assert "My tasks" in html and "我的任务" not in html
    c.post(reverse("set_language"), {"language": "zh-hans", "next": my})
    html = c.get(my).content.decode()
    assert "我的任务" in html and "My tasks" not in html


@pytest.mark.django_db
def test_blocktrans_placeholder_in_english(world, settings):
    settings.ENVGOV_TODAY = "2024-09-16"
    html = client_for(world["coordinator"], "en").get(reverse("plan_list")).content.decode()
    assert "Demo environment: the system date is fixed at 2024-09-16" in html


@pytest.mark.django_db
def test_python_messages_follow_the_page_language(world):
    """Flash messages and the refusals raised by actions are catalogue strings too: English on an English
    page, the same Chinese as before by default."""
    plan = world["plan"]  # already issued: issuing it again is refused by actions.issue_plan
    cases = {
        "en": (["Only a draft plan can be issued.", "Check complete. New supervision items for overdue tasks:"],
               ["只有草稿状态的计划可以印发", "检查完成"]),
        None: (["只有草稿状态的计划可以印发", "检查完成：新增逾期督办 "],
               ["Only a draft plan", "Check complete"]),
    }
    for language, (shown, absent) in cases.items():
        c = client_for(world["coordinator"], language)
        refused = c.post(reverse("plan_issue", args=[plan.pk]), follow=True).content.decode()
        checked = c.post(reverse("run_daily_check", args=[plan.pk]), follow=True).content.decode()
        text = visible_text(refused) + visible_text(checked)
        for words in shown:
            assert words in text, (language, words)
        for words in absent:
            assert words not in text, (language, words)


@pytest.mark.django_db
def test_ledger_import_errors_follow_the_page_language(world):
    """A located error of the Excel ledger import: English on an English page, with the row and the
    column header as the template has it (Chinese, the user looks for it in the file); unchanged Chinese
    by default."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    plan, task = world["plan"], world["task_unit_a"]
    exported = client_for(world["coordinator"]).get(reverse("ledger_export", args=[plan.pk])).content
    wb = load_workbook(io.BytesIO(exported))
    ws = wb["任务台账"]
    row = next(r for r in range(4, ws.max_row + 1) if ws[f"H{r}"].value == task.pk)
    ws[f"E{row}"] = "2024-13-45"  # 完成时限: not a date
    out = io.BytesIO()
    wb.save(out)
    cases = {
        "en": (f"Row {row}, column “完成时限”: The date “2024-13-45” is not recognised (write it as 2024-12-31).",
               "无法识别"),
        None: (f"第{row}行「完成时限」列：日期“2024-13-45”无法识别（请写成 2024-12-31）", f"Row {row}"),
    }
    for language, (shown, absent) in cases.items():
        upload = SimpleUploadedFile("台账.xlsx", out.getvalue(), content_type="application/octet-stream")
        r = client_for(world["coordinator"], language).post(reverse("ledger_import", args=[plan.pk]),
                                                           {"op": "preview", "file": upload})
        assert r.status_code == 200
        text = visible_text(r.content.decode())
        assert shown in text, (language, text)
        assert absent not in text, language
