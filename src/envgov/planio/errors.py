"""The one error type of the plan importer: its message says, in Chinese, why the file was refused."""

from __future__ import annotations


class PlanImportError(Exception):
    def __init__(self, message: str, filename: str | None = None):
        self.filename = filename
        self.reason = message
        super().__init__(f"{filename}：{message}" if filename else message)
