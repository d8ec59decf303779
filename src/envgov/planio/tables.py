"""Task tables (重点任务分工表): many plans list their tasks as a table with columns such as
序号 | 重点任务 | 工作措施 | 牵头单位 | 配合单位 | 完成时限. The readers write a table row as one line with
cells separated by tabs; this module finds such tables in the normalised text and reads each row as a task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COLUMNS: list[tuple[str, re.Pattern[str]]] = [
    # order matters: the first rule that matches a header cell names its column
    ("code", re.compile(r"^(?:序号|编号|序|代码)$")),
    # columns that are not the plan's task: progress, persons, places, kinds
    ("skip", re.compile(r"进展|是否|进度|备注|完成情况|领导|责任人|联系人|省份|所在地|级别|类别|类型")),
    ("lead", re.compile(r"牵头|主责|责任单位|责任部门|负责单位|负责部门|承办单位|实施单位|责任主体")),
    ("coop", re.compile(r"配合|协办|参与|协助|协同单位")),
    ("deadline", re.compile(r"时限|完成时间|整治时间|时间节点|进度安排|时间要求|完成期限")),
    ("plan", re.compile(r"任务计划|计划任务|年度任务|目标任务|年度目标|任务目标")),
    ("task", re.compile(r"重点工作|工作任务|重点任务|任务内容|任务名称|主要任务|工作内容|具体任务|工作事项|事项|^任务$")),
    ("measure", re.compile(r"措施|举措|工作要求|任务要求|目标要求|内容")),
    ("problem", re.compile(r"问题")),
    ("name", re.compile(r"名称|项目|工作")),
    ("category", re.compile(r"领域|分类|方面|板块")),
]
# the cell that names a task, best first; the next one found holds its text
_TITLE_ORDER = ("task", "measure", "name", "problem")


@dataclass
class TableRow:
    start: int  # offset of the row in the normalised text
    end: int
    cells: dict[str, str]  # column role → cell text
    cell_spans: dict[str, tuple[int, int]]


def _roles(header: list[str]) -> dict[int, str] | None:
    raw: dict[int, str] = {}
    for i, cell in enumerate(header):
        c = re.sub(r"\s", "", cell)
        for role, rx in _COLUMNS:
            if rx.search(c):
                if role not in raw.values():
                    raw[i] = role
                elif role in ("task", "measure", "name") and "measure" not in raw.values():
                    raw[i] = "measure"  # 任务名称 | 工作内容: the second task-like column holds the text
                break
    kinds = [r for r in _TITLE_ORDER if r in raw.values()]
    if not kinds:
        return None
    has_duty = any(r in ("lead", "coop", "deadline", "plan") for r in raw.values())
    if not has_duty:
        return None
    # title: the best task column; text: the next (a 问题 column stands in for a generic measure)
    roles: dict[int, str] = {}
    for i, r in raw.items():
        if r == kinds[0]:
            roles[i] = "title"
        elif len(kinds) > 1 and r == kinds[1]:
            roles[i] = "text"
        elif r in ("code", "lead", "coop", "deadline", "plan", "category", "problem"):
            roles[i] = r
    return roles


def task_rows(text: str) -> list[list[TableRow]]:
    """Each task table found in `text`, as its data rows (header rows removed)."""
    tables: list[list[TableRow]] = []
    lines = text.split("\n")
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    i = 0
    while i < len(lines):
        if "\t" not in lines[i]:
            i += 1
            continue
        roles = _roles(lines[i].split("\t"))
        if roles is None:
            i += 1
            continue
        header = lines[i]
        rows: list[TableRow] = []
        j = i + 1
        while j < len(lines) and "\t" in lines[j]:
            line = lines[j]
            if line == header or _roles(line.split("\t")) == roles:
                j += 1  # a header repeated on the next page
                continue
            cells = line.split("\t")
            found: dict[str, str] = {}
            spans: dict[str, tuple[int, int]] = {}
            p = offsets[j]
            for k, cell in enumerate(cells):
                role = roles.get(k)
                if role and cell.strip() and role not in found:
                    found[role] = cell.strip()
                    spans[role] = (p, p + len(cell))
                p += len(cell) + 1
            if found.get("title") or found.get("text") or found.get("plan") or found.get("problem"):
                rows.append(TableRow(offsets[j], offsets[j] + len(line), found, spans))
            j += 1
        if rows:
            tables.append(rows)
        i = j
    return tables


def split_names(cell: str) -> list[str]:
    """Unit names in a 牵头/配合 cell: "区生态环境局（牵头）、区城管委，各街道乡镇" → names."""
    cell = re.sub(r"[（(](?:牵头|负责|主责|配合|协办)[)）]", "", cell)
    parts = re.split(
        r"[、，,；;/\s]+|以及|及(?=[\u4e00-\u9fff]{2,}(?:局|委|办|队|中心|部|处|政府|公司))", cell
    )
    return [
        p.strip() for p in parts if len(p.strip()) >= 2 and not re.fullmatch(r"等|等部门|等单位", p.strip())
    ]
