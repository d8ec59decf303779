"""Import reports: every problem is located (file, row, column) and explained in Chinese."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Keep reports readable on a badly broken file: the first N issues are listed, the total is counted.
MAX_LISTED_ISSUES = 500


@dataclass(frozen=True)
class Issue:
    """One located problem. `row` is the 1-based line of the file (header = 1) or sheet row."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"列「{self.column}」")
        return "，".join(where) + f"：{self.reason}"


@dataclass(frozen=True)
class Gap:
    """Hours without a value for one site and parameter, between its first and last observation."""

    site: str
    parameter: str
    missing_hours: int
    ranges: tuple[tuple[str, str], ...]  # first few (from, to) local hour starts, ISO text


@dataclass
class ImportReport:
    file: str
    profile: str | None = None
    rows_read: int = 0
    observations: int = 0  # valid (site, time, parameter, value) records read from the file
    missing_values: int = 0  # empty / NA cells (NULL, never 0)
    duplicates_dropped: int = 0  # identical repeats of (site, time, parameter, value)
    appended: int = 0  # records added to the lake (0 on re-import of the same file)
    already_present: int = 0  # records the lake already held with the same value
    lake_import_id: str | None = None  # the lake commit of the appended records (None: nothing appended)
    errors: list[Issue] = field(default_factory=list)
    error_count: int = 0
    warnings: list[Issue] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    # errors grouped by (column, reason): {"column", "reason", "count"}; `errors` lists the first rows of each
    error_groups: list[dict[str, Any]] = field(default_factory=list)
    # wide pyarrow.Table (site, time, one column per parameter) when a wide file was read and is ok
    wide: Any = None
    wide_path: Any = None  # a streamed wide file: its checked wide rows as Parquet (removed with the report)
    period: Any = None  # (first, last) hour of a streamed file
    _spill: Any = field(default=None, repr=False)
    reader: str = "row"  # columnar | fast | row: which reader produced the report
    _long: Any = field(default=None, repr=False)
    _long_from_wide: Any = field(default=None, repr=False)
    _all_errors: Any = field(default=None, repr=False)

    @property
    def table(self) -> Any:
        """pyarrow.Table (kind, site, time, parameter, value) when ok, else None (built from `wide` on demand)."""
        if self._long is None and (self.wide is not None or self.wide_path is not None) \
                and self._long_from_wide is not None:
            self._long = self._long_from_wide(self.wide)
        return self._long

    @table.setter
    def table(self, value: Any) -> None:
        self._long = value
        if value is None:
            self.wide = self.wide_path = None

    def all_errors(self) -> list[Issue]:
        """Every located error (the listed ones are only the first rows of each group)."""
        return self._all_errors() if self._all_errors is not None else list(self.errors)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, row: int | None, column: str | None, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ISSUES:
            self.errors.append(Issue(self.file, row, column, reason))

    def warn(self, row: int | None, column: str | None, reason: str) -> None:
        if len(self.warnings) < MAX_LISTED_ISSUES:
            self.warnings.append(Issue(self.file, row, column, reason))

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "profile": self.profile,
            "ok": self.ok,
            "rows_read": self.rows_read,
            "observations": self.observations,
            "missing_values": self.missing_values,
            "duplicates_dropped": self.duplicates_dropped,
            "appended": self.appended,
            "already_present": self.already_present,
            "error_count": self.error_count,
            "error_groups": self.error_groups,
            "reader": self.reader,
            "errors": [vars(e) for e in self.errors],
            "warnings": [vars(w) for w in self.warnings],
            "gaps": [
                {"site": g.site, "parameter": g.parameter, "missing_hours": g.missing_hours,
                 "ranges": [list(r) for r in g.ranges]}
                for g in self.gaps
            ],
        }

    def summary(self) -> str:
        """Chinese one-paragraph summary for the CLI and the web import page."""
        if not self.ok:
            head = f"导入失败（未写入任何数据）：{self.file} 共 {self.error_count} 处错误"
            lines = [head] + [f"  - {e}" for e in self.errors[:50]]
            shown = min(len(self.errors), 50)
            if self.error_count > shown:
                lines.append(f"  … 另有 {self.error_count - shown} 处错误")
            if len(self.error_groups) > 1 or (self.error_groups and self.error_count > shown):
                lines.append("  按列与原因汇总：")
                lines += [f"  - 列「{g['column'] or '—'}」{g['reason']}：{g['count']} 处" for g in self.error_groups]
            lines += [f"  注：{w.reason}" for w in self.warnings]
            return "\n".join(lines)
        gap_hours = sum(g.missing_hours for g in self.gaps)
        return (
            f"导入成功：{self.file}（配置 {self.profile}）读取 {self.rows_read} 行，有效观测 {self.observations} 条，"
            f"新增 {self.appended} 条，已存在 {self.already_present} 条，重复行剔除 {self.duplicates_dropped} 条，"
            f"缺测值 {self.missing_values} 个，数据缺口 {len(self.gaps)} 段共 {gap_hours} 小时。"
        )
