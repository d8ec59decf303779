"""Heading hierarchy and the parts of a plan (基本思路 / 目标指标 / 主要任务 / 保障措施).

Markers, outermost first: 第三章 → 一、 → （一） → 1. / 1、 → （1） → ①. A heading nests under the nearest
preceding heading of an outer kind, so levels may be skipped (四、 directly followed by （一）).
A heading may be "run in": "1.加快推进无燃煤区建设。落实……" — the title ends at the first 。.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from envgov.planio.normalize import CN_NUM

_KINDS: list[tuple[str, float, re.Pattern[str]]] = [
    # "附件1 东城区打赢蓝天保卫战2019年行动计划": several plans bound in one file (not "附件：1.…" lists)
    ("annex", -0.5, re.compile(r"^附件\s*(\d{1,2})(?=[:：\s]|$)")),
    ("chapter", 0, re.compile(rf"^第([{CN_NUM}\d]+)(章|篇|部分)")),
    ("section", 0.5, re.compile(rf"^第([{CN_NUM}\d]+)节")),
    ("article", 0.8, re.compile(rf"^第([{CN_NUM}\d]+)条")),
    ("l1", 1, re.compile(rf"^([{CN_NUM}]+)(?:、|[.．](?![\d{CN_NUM}]))")),
    ("l2", 2, re.compile(rf"^（([{CN_NUM}]*)）|^([{CN_NUM}]{{1,3}})）(?=[\u4e00-\u9fff])")),
    ("l3", 3, re.compile(r"^(\d{1,2})[.．、](?!\d)")),
    ("l4", 4, re.compile(r"^[（(](\d{1,2})[)）]")),
    ("l5", 5, re.compile(r"^([①-⑳])")),
]

PART_BACKGROUND = "现状"
PART_THINKING = "基本思路"
PART_TARGETS = "目标指标"
PART_TASKS = "主要任务"
PART_SAFEGUARDS = "保障措施"
PART_OTHER = "其他"

# order matters: the first matching rule names the part
_PART_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        PART_SAFEGUARDS,
        re.compile(
            r"保障措施|组织保障|实施保障|保障机制|保障体系|组织实施|组织领导|工作要求|加强领导|实施机制"
        ),
    ),
    (
        PART_TASKS,
        re.compile(
            r"主要任务|重点任务|工作任务|任务措施|主要措施|重点措施|重点工作|主要内容|工作措施|具体措施|重点举措|任务分工|"
            r"攻坚任务|行动任务|主要行动|重点行动|工作安排"
        ),
    ),
    (PART_TARGETS, re.compile(r"目标|指标")),
    (PART_THINKING, re.compile(r"思路|指导思想|总体要求|基本原则|工作原则")),
    (
        PART_BACKGROUND,
        re.compile(r"现状|形势|成效|回顾|挑战|机遇|编制依据|编制过程|背景|基础|工作进展|完成情况"),
    ),
]

_CN_DIGITS = "零一二三四五六七八九"


def cn_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (markers rarely exceed 99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


@dataclass
class Node:
    kind: str
    rank: float
    marker: str  # the numeral as written (inferred when the document lost it: "（）")
    title: str
    start: int  # heading start in the normalised text
    body_start: int  # where the text after the title begins
    end: int = 0  # end of this node's whole extent (heading + body + children)
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    part: str = PART_OTHER
    suffix: str = ""  # 章 / 篇 / 部分 for chapter headings

    @property
    def code_marker(self) -> str:
        if self.kind == "chapter":
            return f"第{self.marker}{self.suffix or '章'}"
        if self.kind == "annex":
            return f"附件{self.marker}"
        if self.kind == "section":
            return f"第{self.marker}节"
        if self.kind == "article":
            return f"第{self.marker}条"
        if self.kind in ("l2", "l4"):
            return f"({self.marker})"
        return self.marker

    @property
    def code(self) -> str:
        parts = []
        n: Node | None = self
        while n is not None and n.kind != "root":
            parts.append(n.code_marker)
            n = n.parent
        return ".".join(reversed(parts))

    @property
    def own_end(self) -> int:
        """End of this node's own body (before its first child heading)."""
        return self.children[0].start if self.children else self.end

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class Outline:
    root: Node
    top: list[Node]  # the nodes that carry the parts (chapters, or 一、 headings)
    nested_tasks: list[Node] = field(default_factory=list)  # task parts inside another part

    def parts(self, name: str) -> list[Node]:
        return [n for n in self.top if n.part == name]

    def task_nodes(self) -> list[Node]:
        """Leaf headings inside the task parts."""
        explicit = self.parts(PART_TASKS)
        if explicit:
            task_parts = explicit
        else:
            # plans whose parts are topics (第三章 深入打好污染防治攻坚战 …): every part that is not
            # background, thinking, targets or safeguards holds tasks
            task_parts = self.parts(PART_OTHER)
        out = []
        for p in task_parts:
            out.extend(n for n in p.walk() if not n.children)
        return out


_ACTION_START = re.compile(
    r"^(?:摸清|查明|开展|推进|加强|实施|建立|构建|完善|强化|深化|加快|严格|提升|优化|全面|着力|持续|巩固|打好|打赢|推动|做好|抓好|落实)"
)


def classify_part(title: str) -> str:
    # a heading run into its text ("一、指导思想深入贯彻……目标……") is named by its first words
    head = title[:8] if len(title) > 16 else title
    for name, rx in _PART_RULES:
        if rx.search(head):
            if name in (PART_BACKGROUND, PART_THINKING) and _ACTION_START.match(title):
                continue  # "摸清污染现状，构建数据平台" is work to do, not the plan's background
            return name
    return PART_OTHER


def _split_title(line: str, marker_len: int) -> tuple[str, int]:
    """(title, offset in line where the body starts) for a heading line."""
    rest = line[marker_len:]
    # "." between Chinese words ends a sentence too (text pasted with ASCII full stops)
    m = re.search(r"[。！？]|(?<=[\u4e00-\u9fff])\.(?=[\u4e00-\u9fff])", rest)
    if m and m.end() < len(rest):
        return rest[: m.start()].strip(), marker_len + m.end()
    if m:
        return rest[: m.start()].strip(), len(line)
    return rest.strip(), len(line)


def outline(text: str) -> Outline:
    root = Node("root", -1, "", "", 0, 0, len(text))
    stack = [root]
    offset = 0
    for line in text.split("\n"):
        start = offset
        offset += len(line) + 1
        for kind, rank, rx in _KINDS:
            m = rx.match(line)
            if not m:
                continue
            if kind in ("l3", "l4", "l5") and len(line) <= m.end():
                break  # a bare "1." line is not a heading
            title, body_off = _split_title(line, m.end())
            if not title and kind != "annex":
                break
            if kind == "annex":
                title, body_off = line[m.end() :].strip(" ：:"), len(line)
            while stack[-1].rank >= rank:
                stack.pop()
            parent = stack[-1]
            marker = m.group(1) if m.group(1) is not None or m.lastindex is None else m.group(m.lastindex)
            if kind == "l2" and not marker:
                # the numeral was lost in scraping ("（）"): it is the ordinal among its siblings
                marker = cn_ordinal(1 + sum(1 for c in parent.children if c.kind == "l2"))
            node = Node(kind, rank, marker, title, start, start + body_off, parent=parent)
            if kind == "chapter":
                node.suffix = m.group(2)
            parent.children.append(node)
            stack.append(node)
            break
    _close(root, len(text))
    annexes = [n for n in root.children if n.kind == "annex"]
    containers = annexes if annexes else [root]
    top = []
    for c in containers:
        chapters = [n for n in c.children if n.kind == "chapter"]
        top.extend(chapters if len(chapters) >= 2 else [n for n in c.children if n.kind == "l1"])
    if not top:
        top = [n for c in containers for n in c.children]
    nested: list[Node] = []
    for n in top:
        n.part = classify_part(n.title)
        for d in n.walk():
            d.part = n.part
        if n.part != PART_TASKS:
            # "一、总体要求 （一）指导思想 （二）工作目标 （三）主要任务 1.…": a task part nested in another part
            for c in n.children:
                if classify_part(c.title) == PART_TASKS and c.children:
                    for d in c.walk():
                        d.part = PART_TASKS
                    nested.append(c)
    return Outline(root, top, nested)


def _close(node: Node, end: int) -> None:
    node.end = end
    for i, c in enumerate(node.children):
        nxt = node.children[i + 1].start if i + 1 < len(node.children) else end
        _close(c, nxt)
