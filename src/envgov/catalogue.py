"""Marking user-facing text of the domain core for the web UI's translation catalogue, without Django.

`gettext_noop(s)` returns `s` unchanged; `make messages` (Django makemessages, which looks for this
name) puts `s` into the catalogue, and the web layer translates it with `gettext` when it shows it.
"""
from __future__ import annotations


def gettext_noop(message: str) -> str:
    return message
