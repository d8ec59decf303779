"""Checking the audit log's hash chain: the first broken link, or None when every entry is as written."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from envgov.apps.audit import chain
from envgov.apps.audit.models import AuditHead, AuditLog


@dataclass(frozen=True)
class Broken:
    """Where the chain breaks: `entry_id`/`at` of the first entry that does not match (None when the
    chain is whole but ends before the recorded end, i.e. its last entries were removed), and what differs."""

    entry_id: int | None
    at: dt.datetime | None
    reason: str

    def __str__(self) -> str:
        where = (f"第一处断链：记录 #{self.entry_id}（{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}）"
                 if self.entry_id is not None else "第一处断链：日志末尾")
        return f"{where}：{self.reason}"


@dataclass(frozen=True)
class Report:
    entries: int
    head_hash: str
    broken: Broken | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(using: str = "default") -> Report:
    prev, count, last = chain.GENESIS, 0, None
    rows = AuditLog.objects.using(using).order_by("id").iterator(chunk_size=2000)
    for row in rows:
        if row.prev_hash != prev:
            what = ("前面的记录被删除、插入或改动过" if last is not None else "它本应是第一条记录，其前的记录被删除过")
            return Report(count, prev, Broken(row.pk, row.at, (
                f"所记上一条哈希 {row.prev_hash[:12]}… 与上一条记录"
                f"{'（#%d）' % last.pk if last is not None else ''}的哈希 {prev[:12] or '（空）'}… 不符，{what}")))
        computed = chain.link_hash(row.chained_fields(), row.prev_hash)
        if computed != row.hash:
            return Report(count, prev, Broken(row.pk, row.at, (
                f"内容与其哈希不符（所记 {row.hash[:12]}…，按现有内容算得 {computed[:12]}…），"
                "该记录写入后被改动过")))
        prev, count, last = row.hash, count + 1, row
    head = AuditHead.objects.using(using).filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.length != count):
        return Report(count, prev, Broken(None, None, (
            f"链上有 {count} 条记录，末条哈希 {prev[:12] or '（空）'}…；"
            f"而记录的链末端为 {head.length} 条、末条 #{head.last_id}、哈希 {head.last_hash[:12] or '（空）'}…，"
            "末尾的记录被删除过，或链末端被改动过")))
    return Report(count, prev, None)
