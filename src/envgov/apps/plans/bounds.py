"""envgov.rules.bounds at the Django doors: form fields, refusals (ValidationError → 422 / page banner) and
the messages in the user's language. The checks themselves live in envgov.rules.bounds only."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from envgov.rules import bounds
from envgov.rules.bounds import OutOfBounds

__all__ = ["OutOfBounds", "message", "refusal", "figure", "date", "year", "FigureFormField", "BoundedDateField",
           "VersionField"]


def message(exc: OutOfBounds) -> str:
    """The refusal in the page language (the field's name inside it was given translated)."""
    return exc.problem.text(gettext)


def refusal(exc: OutOfBounds, key: str | None = None) -> ValidationError:
    return ValidationError({key: [message(exc)]}) if key else ValidationError(message(exc))


def figure(value: object, label: object, *, key: str | None = None, **kwargs) -> Decimal:  # noqa: ANN003
    try:
        return bounds.figure(value, str(label), **kwargs)
    except OutOfBounds as exc:
        raise refusal(exc, key) from None


def date(value: dt.date | None, label: object, *, key: str | None = None) -> dt.date | None:
    if value is None:
        return None
    try:
        return bounds.date(value, str(label))
    except OutOfBounds as exc:
        raise refusal(exc, key) from None


def year(value: object, label: object, *, key: str | None = None) -> int:
    try:
        return bounds.year(value, str(label))
    except OutOfBounds as exc:
        raise refusal(exc, key) from None


class FigureFormField(forms.DecimalField):
    """A ledger figure on a page: parsed as Django does, bounded as everywhere else (bounds.figure)."""

    def __init__(self, *, minimum: Decimal | int | None = 0, positive: bool = False, **kwargs) -> None:  # noqa: ANN003
        self.minimum, self.positive = minimum, positive
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("step", "any")
        if minimum is not None:
            self.widget.attrs.setdefault("min", str(minimum))

    def validate(self, value: Decimal | None) -> None:
        super().validate(value)  # required, and NaN / Infinity
        if value not in self.empty_values:
            figure(value, self.label or gettext("数值"), minimum=self.minimum, positive=self.positive)


class BoundedDateField(forms.DateField):
    """A ledger date on a page, within bounds.DATE_MIN–DATE_MAX."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date", "min": bounds.DATE_MIN.isoformat(),
                                                           "max": bounds.DATE_MAX.isoformat()}))
        super().__init__(**kwargs)

    def validate(self, value: dt.date | None) -> None:
        super().validate(value)
        date(value, self.label or gettext("日期"))


class VersionField(forms.IntegerField):
    """The hidden `version` of an edit form (optimistic locking), within its column's range."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(min_value=0, max_value=bounds.VERSION_MAX, **kwargs)
