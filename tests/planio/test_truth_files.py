"""Schema checks for the hand-made truth files of the plan importer (tests/planio/truth/).

The truth files are data, written by reading the seed documents; these tests keep them well-formed
so that scoring the importer against them (and loading the demo ledger) cannot trip on a typo.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("ENVGOV_SHARED", "/work/shared"))  # set by tests/conftest.py

TRUTH = Path(__file__).parent / "truth"
SEEDS = SHARED / "seeds"  # optional: quoted-text checks run only when the seeds are there
DEMO = Path(__file__).parents[2] / "src" / "envgov" / "demo" / "data" / "tongzhou_2024_plan.json"

FILES = ["003.json", "002.json", "001_tasks.json"]
TOP_KEYS = {"district", "year", "title", "source", "targets", "tasks"}
TARGET_KEYS = {"indicator", "indicator_name", "comparator", "value", "unit", "period", "area", "flags", "text"}
TASK_KEYS = {"code", "area", "title", "text", "units", "lead_units", "cooperating_units", "towns",
             "deadlines", "quantities"}
QUANTITY_KEYS = {"value", "unit", "text"}
AREAS = {"蓝天", "碧水", "净土", "应对气候变化", "生态保护", "静音", "其他"}
COMPARATORS = {"<=", ">=", "=", "<", ">"}
# one code segment: 第三章 | 一 | (一) | 1 | (1) | ①  (see README: markers normalised to ASCII parentheses)
SEGMENT = re.compile(r"^(?:第[一二三四五六七八九十]+章|[一二三四五六七八九十]+|\([一二三四五六七八九十]+\)|\d+|\(\d+\)|[①-⑳])$")
INDICATOR = re.compile(r"^[a-z][a-z0-9_]*$")


def canonical_units() -> set[str]:
    """Canonical unit names = first column of the table between the units markers in README.md."""
    text = (TRUTH / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- units:begin -->", 1)[1].split("<!-- units:end -->", 1)[0]
    names = set()
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] not in ("canonical", "") and not cells[0].startswith("-"):
            names.add(cells[0])
    return names


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _str_list(x) -> bool:
    return isinstance(x, list) and all(isinstance(s, str) and s for s in x)


def validate(doc: dict, units: set[str], seed_text: str | None = None) -> list[str]:
    """Return a list of problems (empty = valid). seed_text: when given, quoted texts must occur in it."""
    errs: list[str] = []
    if not isinstance(doc, dict) or set(doc) != TOP_KEYS:
        return [f"顶层键应为 {sorted(TOP_KEYS)}"]
    if not isinstance(doc["year"], int) or not 2000 <= doc["year"] <= 2100:
        errs.append("year 应为整数年份")
    for k in ("district", "title", "source"):
        if not isinstance(doc[k], str) or not doc[k]:
            errs.append(f"{k} 应为非空字符串")
    if not isinstance(doc["targets"], list) or not isinstance(doc["tasks"], list):
        return errs + ["targets/tasks 应为列表"]

    for i, t in enumerate(doc["targets"]):
        where = f"targets[{i}]"
        if not isinstance(t, dict) or set(t) != TARGET_KEYS:
            errs.append(f"{where}: 键应为 {sorted(TARGET_KEYS)}")
            continue
        if not isinstance(t["indicator"], str) or not INDICATOR.match(t["indicator"]):
            errs.append(f"{where}: indicator 应为小写英文标识")
        if t["comparator"] not in COMPARATORS:
            errs.append(f"{where}: comparator 非法: {t['comparator']!r}")
        if not _is_number(t["value"]):
            errs.append(f"{where}: value 应为数字")
        if t["area"] not in AREAS:
            errs.append(f"{where}: area 非法: {t['area']!r}")
        for k in ("indicator_name", "unit", "period", "text"):
            if not isinstance(t[k], str) or (k != "unit" and not t[k]):
                errs.append(f"{where}: {k} 应为字符串")
        if not isinstance(t["flags"], list) or not all(isinstance(f, str) and f for f in t["flags"]):
            errs.append(f"{where}: flags 应为字符串列表")
        if seed_text is not None and isinstance(t["text"], str) and t["text"] not in seed_text:
            errs.append(f"{where}: text 不在原文中: {t['text'][:30]}")

    seen: set[str] = set()
    for i, t in enumerate(doc["tasks"]):
        where = f"tasks[{i}]"
        if not isinstance(t, dict) or set(t) != TASK_KEYS:
            errs.append(f"{where}: 键应为 {sorted(TASK_KEYS)}")
            continue
        code = t["code"]
        where = f"tasks[{i}] {code}"
        if not isinstance(code, str) or not all(SEGMENT.match(s) for s in code.split(".")):
            errs.append(f"{where}: code 格式非法")
        elif code in seen:
            errs.append(f"{where}: code 重复")
        seen.add(code) if isinstance(code, str) else None
        if t["area"] not in AREAS:
            errs.append(f"{where}: area 非法: {t['area']!r}")
        for k in ("title", "text"):
            if not isinstance(t[k], str) or not t[k].strip():
                errs.append(f"{where}: {k} 应为非空字符串")
        for k in ("units", "lead_units", "cooperating_units", "towns", "deadlines"):
            if not _str_list(t[k]):
                errs.append(f"{where}: {k} 应为字符串列表")
            elif len(set(t[k])) != len(t[k]):
                errs.append(f"{where}: {k} 有重复项")
        if not all(_str_list(t[k]) for k in ("units", "lead_units", "cooperating_units", "deadlines")):
            continue
        for u in t["units"]:
            if u not in units:
                errs.append(f"{where}: 单位名称不在 README 规范名表中: {u}")
        for u in t["lead_units"] + t["cooperating_units"]:
            if u not in t["units"]:
                errs.append(f"{where}: 牵头/配合单位不在 units 中: {u}")
        for d in t["deadlines"]:
            try:
                day = dt.date.fromisoformat(d)
            except ValueError:
                errs.append(f"{where}: deadline 不是 ISO 日期: {d!r}")
                continue
            if day.isoformat() != d or not doc["year"] <= day.year <= doc["year"] + 10:
                errs.append(f"{where}: deadline 不是规范 ISO 日期或年份不合理: {d}")
        if t["deadlines"] != sorted(t["deadlines"]):
            errs.append(f"{where}: deadlines 应按日期排序")
        if not isinstance(t["quantities"], list):
            errs.append(f"{where}: quantities 应为列表")
            continue
        for j, q in enumerate(t["quantities"]):
            if not isinstance(q, dict) or set(q) != QUANTITY_KEYS:
                errs.append(f"{where}: quantities[{j}] 键应为 {sorted(QUANTITY_KEYS)}")
                continue
            if not _is_number(q["value"]):
                errs.append(f"{where}: quantities[{j}] value 应为数字")
            if not isinstance(q["unit"], str) or not isinstance(q["text"], str) or not q["text"]:
                errs.append(f"{where}: quantities[{j}] unit/text 应为字符串")
            elif q["text"] not in t["text"]:
                errs.append(f"{where}: quantities[{j}] text 不在任务原文中: {q['text']}")
        if seed_text is not None and isinstance(t["text"], str):
            for para in t["text"].split("\n"):
                if para not in seed_text:
                    errs.append(f"{where}: text 段落不在原文中: {para[:30]}")
    return errs


def _load(name: str) -> dict:
    return json.loads((TRUTH / name).read_text(encoding="utf-8"))


def _seed_text(doc: dict) -> str | None:
    path = SEEDS / Path(doc["source"]).name
    return path.read_text(encoding="utf-8") if path.exists() else None


@pytest.mark.parametrize("name", FILES)
def test_truth_file_is_valid(name):
    if not (TRUTH / name).exists():
        pytest.fail(f"缺少真值文件 {name}")
    doc = _load(name)
    # 001 is Traditional Chinese with noise: its truth text is normalised, so no verbatim check.
    seed = None if name.startswith("001") else _seed_text(doc)
    assert validate(doc, canonical_units(), seed) == []


def test_003_is_the_demo_ledger_symlink():
    link = TRUTH / "003.json"
    assert link.is_symlink()
    assert link.resolve() == DEMO.resolve()
    doc = _load("003.json")
    assert (doc["district"], doc["year"]) == ("通州区", 2024)
    # the document has 26+15+18+23+14 numbered task items (三、主要任务 (一)–(五))
    counts = {}
    for t in doc["tasks"]:
        sec = t["code"].split(".")[1]
        counts[sec] = counts.get(sec, 0) + 1
    assert counts == {"(一)": 26, "(二)": 15, "(三)": 18, "(四)": 23, "(五)": 14}


def test_002_and_001_task_counts_match_the_documents():
    # 002: 三、主要任务 has three sections of three numbered items each
    codes = [t["code"] for t in _load("002.json")["tasks"]]
    assert codes == [f"三.({s}).{n}" for s in "一二三" for n in (1, 2, 3)]
    # 001: 70 items without sub-items + 14 section intros (README: parents with own text)
    tasks = _load("001_tasks.json")["tasks"]
    assert len(tasks) == 84
    assert {t["code"].split(".")[0] for t in tasks} == {"第三章", "第四章", "第五章", "第六章"}
    # numbered "1." items: 第三章 3+3, 第四章 5+3 + 4+3+6+3 + 2+2+3+2
    assert sum(1 for t in tasks if t["code"].split(".")[-1].isdigit()) == 39


def test_readme_unit_table_is_parsed():
    units = canonical_units()
    assert {"生态环境局", "发展改革委", "市场监管局"} <= units
    assert not any(u.startswith("区") for u in units)


GOOD = {
    "district": "通州区", "year": 2024, "title": "t", "source": "seeds/x.txt",
    "targets": [{"indicator": "pm25_annual_mean", "indicator_name": "PM2.5年均浓度", "comparator": "<=",
                 "value": 35, "unit": "μg/m³", "period": "全年", "area": "蓝天", "flags": [], "text": "达到35"}],
    "tasks": [{"code": "三.(一).1", "area": "蓝天", "title": "标题", "text": "生态环境局全年抽检不少于8组",
               "units": ["生态环境局"], "lead_units": ["生态环境局"], "cooperating_units": [], "towns": [],
               "deadlines": ["2024-06-30", "2024-12-31"],
               "quantities": [{"value": 8, "unit": "组", "text": "不少于8组"}]}],
}


def test_validator_accepts_a_good_document():
    assert validate(GOOD, {"生态环境局"}) == []


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["targets"][0].update(comparator="≤"), "comparator"),
        (lambda d: d["targets"][0].update(value="35"), "value"),
        (lambda d: d["tasks"][0].update(deadlines=["2024-6-30"]), "ISO"),
        (lambda d: d["tasks"][0].update(deadlines=["2024-02-30"]), "ISO"),
        (lambda d: d["tasks"][0].update(deadlines=["2024-12-31", "2024-06-30"]), "排序"),
        (lambda d: d["tasks"].append(copy.deepcopy(d["tasks"][0])), "重复"),
        (lambda d: d["tasks"][0].update(code="三.（一）.1"), "code"),
        (lambda d: d["tasks"][0].update(units=["区生态环境局"], lead_units=[]), "规范名"),
        (lambda d: d["tasks"][0].update(lead_units=["发展改革委"]), "牵头"),
        (lambda d: d["tasks"][0]["quantities"][0].update(text="不少于9组"), "quantities"),
        (lambda d: d["tasks"][0].update(area="大气"), "area"),
        (lambda d: d["tasks"][0].pop("towns"), "键"),
        (lambda d: d.pop("year"), "顶层"),
    ],
)
def test_validator_rejects_bad_documents(mutate, message):
    doc = copy.deepcopy(GOOD)
    mutate(doc)
    errs = validate(doc, {"生态环境局", "发展改革委"})
    assert any(message in e for e in errs), errs


def test_validator_checks_quotes_against_the_seed():
    assert validate(GOOD, {"生态环境局"}, seed_text="生态环境局全年抽检不少于8组 达到35") == []
    errs = validate(GOOD, {"生态环境局"}, seed_text="别的文字")
    assert any("原文" in e for e in errs)
