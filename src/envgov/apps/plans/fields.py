"""The column type of every ledger figure: numeric(14, 4), sized by envgov.rules.bounds.FIGURE.

New values are bounded before they are written (envgov.rules.bounds, at every door); this type makes the
pages and the API read whatever a column already holds without failing. SQLite keeps a value written
before the bounds existed (1e20) as a REAL, and Django's converter quantizes it to the column's places
within a context of the column's 14 digits, which raises for every read of the row: the task is dead.
Here the reading context is wide and raises nothing (a value it cannot hold, Infinity, comes back NaN),
so the value is shown as stored. Writes and validation are DecimalField's own.
"""
from __future__ import annotations

import decimal

from django.db import models
from django.utils.functional import cached_property

from envgov.rules import bounds

_READING = decimal.Context(prec=400, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[])


class FigureField(models.DecimalField):
    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        kwargs.setdefault("max_digits", bounds.FIGURE.max_digits)
        kwargs.setdefault("decimal_places", bounds.FIGURE.decimal_places)
        super().__init__(*args, **kwargs)

    @cached_property
    def context(self) -> decimal.Context:  # used by the backends' read converters
        return _READING

    def to_python(self, value):  # noqa: ANN001, ANN201
        if isinstance(value, float):  # as DecimalField: a float is rounded to the column's digits
            value = decimal.Context(prec=self.max_digits).create_decimal_from_float(value)
        return super().to_python(value)

    def deconstruct(self):  # noqa: ANN201 - migrations see a plain DecimalField: no schema change
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
