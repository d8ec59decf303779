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
    ("lead", re.compile(r"牵头|主责|责任单位|责任部门|负责单位|负责部门|承办单位")),
    ("coop", re.compile(r"配合|协办|参与|协助|协同单位")),
    ("deadline", re.compile(r"时限|完成时间|时间节点|进度安排|时间要求|完成期限")),
    ("text", re.compile(r"措施|内容|具体任务|工作要求|任务要求|目标要求|举措")),
    ("title", re.compile(r"任务|事项|项目|工作|名称")),
    ("category", re.compile(r"领域|类别|类型|分类|方面|板块")),
]


@dataclass
class TableRow:
    start: int  # offset of the row in the normalised text
    end: int
    cells: dict[str, str]  # column role → cell text
    cell_spans: dict[str, tuple[int, int]]


def _roles(header: list[str]) -> dict[int, str] | None:
    roles: dict[int, str] = {}
    for i, cell in enumerate(header):
        c = cell.replace(" ", "")
        for role, rx in _COLUMNS:
            if rx.search(c) and role not in roles.values():
                roles[i] = role
                break
            if rx.search(c) and role == "title" and "text" not in roles.values():
                roles[i] = "text"  # a second task-like column holds the text
                break
    has_task = any(r in ("title", "text") for r in roles.values())
    has_duty = any(r in ("lead", "coop", "deadline") for r in roles.values())
    return roles if has_task and has_duty else None


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
            if found.get("title") or found.get("text"):
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
