"""The audit log's hash chain: each entry's hash is sha256 over a canonical JSON of its own fields and the
previous entry's hash, so changing, inserting or deleting an entry breaks every link after it.

Plain Python (the migrations use it too): the fields are given as plain values.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS = ""  # the prev_hash of the first entry


def utc_text(at: dt.datetime) -> str:
    """The entry time as hashed: UTC, microseconds, whatever the database's or the site's time zone."""
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_fields(*, at: dt.datetime, actor_id: int | None, district_id: int | None, plan_id: int | None,
                 action: str, subject_type: str, object_id: str, object_repr: str, before: Any, after: Any,
                 note: str) -> dict[str, Any]:
    """What an entry's hash covers. `subject_type` is "app_label.model" (stable across databases)."""
    return {"at": utc_text(at), "actor": actor_id, "district": district_id, "plan": plan_id, "action": action,
            "subject_type": subject_type, "object_id": object_id, "object_repr": object_repr,
            "before": before, "after": after, "note": note}


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def link_hash(fields: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical({**fields, "prev_hash": prev_hash})).hexdigest()
