"""Form helpers shared by the apps' views."""
from __future__ import annotations

from django import forms


def form_errors(form: forms.Form) -> str:
    """A bound form's errors as one line for a page message: "字段名：原因" per field, form-wide errors as they are."""
    return " ".join(f"{form.fields[k].label}：{' '.join(v)}" if k in form.fields else " ".join(v)
                    for k, v in form.errors.items())
