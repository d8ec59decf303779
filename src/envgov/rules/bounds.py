"""Bounds of every value a person or a file can put into the ledger: figures, dates, years and ids.

One check per kind of value, shared by every door — the web forms, the API schemas, the Excel ledger
import and the plan-draft commit — so that a value is refused (with a message naming the field) before
anything is written, instead of being stored and then breaking every page that reads it.

The numbers are the database's, not a preference: every figure of the ledger (目标量, 累计完成, 分解量,
目标值, 实际值) is a ``numeric(14, 4)`` column, so at most 10 digits before the point and 4 after; ids are
64-bit (Django's BigAutoField), versions and counters 32-bit (PositiveIntegerField). The date window
1990–2100 is a plausibility rule of this platform (no plan, deadline or figure of a district's action plan
falls outside it; year 9999 is always a typing error). Plain Python, no Django; the web layer translates
the message templates (marked with gettext_noop).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from envgov.catalogue import gettext_noop


@dataclass(frozen=True)
class DecimalColumn:
    """A fixed-point column: `max_digits` in all, `decimal_places` of them after the point."""

    max_digits: int
    decimal_places: int

    @property
    def integer_digits(self) -> int:
        return self.max_digits - self.decimal_places

    @property
    def largest(self) -> Decimal:
        """The largest value the column holds: 9999999999.9999 for (14, 4)."""
        return Decimal(10) ** self.integer_digits - Decimal(1).scaleb(-self.decimal_places)


# Every ledger figure: Quantity.target_value / achieved_value, QuantityProgress.value,
# PartyQuantity.share_value / achieved_value, Target.value / actual_value / entered_value.
FIGURE = DecimalColumn(max_digits=14, decimal_places=4)

DATE_MIN = dt.date(1990, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
YEAR_MIN, YEAR_MAX = DATE_MIN.year, DATE_MAX.year

INT32_MAX = 2**31 - 1  # IntegerField / PositiveIntegerField (version, revision, order)
INT64_MAX = 2**63 - 1  # BigAutoField ids
ID_MAX = INT64_MAX
VERSION_MAX = INT32_MAX


@dataclass(frozen=True)
class Problem:
    """Why a value is refused: a message template (Chinese msgid) and its values, `field` among them."""

    template: str
    values: tuple[tuple[str, str], ...]

    def text(self, translate=lambda s: s) -> str:  # noqa: ANN001 - gettext or the identity
        return translate(self.template) % dict(self.values)


class OutOfBounds(ValueError):
    """A value outside its bounds; `problem` words it, str() is the untranslated (Chinese) sentence."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text())
        self.problem = problem


def _refuse(template: str, field: str, **values: object) -> OutOfBounds:
    texts = {"field": field, **{k: str(v) for k, v in values.items()}}
    return OutOfBounds(Problem(template, tuple(sorted(texts.items()))))


def _plain(value: Decimal) -> str:
    return format(value, "f")


def figure(
    value: object, field: str, *, minimum: Decimal | int | None = 0, positive: bool = False,
    column: DecimalColumn = FIGURE,
) -> Decimal:
    """The value as a Decimal that its column stores exactly, or OutOfBounds.

    Refused: what is not a finite number (NaN, Infinity, text), more than the column's digits before the
    point (1e20), more than its places after it (0.33333), and below `minimum` (default 0: no ledger
    figure is negative; None allows any sign) or, with `positive`, zero. A float is read by its shortest
    decimal text (0.1 is 0.1, not 0.1000000000000000055…)."""
    if isinstance(value, bool):
        raise _refuse(gettext_noop("“%(field)s”应为数字"), field)
    try:
        if isinstance(value, (int, Decimal)):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise _refuse(gettext_noop("“%(field)s”应为数字"), field) from None
    if not number.is_finite():
        raise _refuse(gettext_noop("“%(field)s”应为有限的数字"), field)
    if abs(number) > column.largest:
        raise _refuse(gettext_noop("“%(field)s”超出范围：整数部分最多 %(digits)s 位（不超过 %(largest)s）"), field,
                      digits=column.integer_digits, largest=_plain(column.largest))
    if number != number.quantize(Decimal(1).scaleb(-column.decimal_places), rounding="ROUND_DOWN"):
        raise _refuse(gettext_noop("“%(field)s”最多保留 %(places)s 位小数"), field, places=column.decimal_places)
    if positive and number <= 0:
        raise _refuse(gettext_noop("“%(field)s”须大于 0"), field)
    if minimum is not None and number < minimum:
        raise _refuse(gettext_noop("“%(field)s”不能小于 %(minimum)s"), field, minimum=minimum)
    return number


def date(value: dt.date, field: str) -> dt.date:
    """A date of the ledger (deadline, as-of date, period end) within DATE_MIN–DATE_MAX."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise _refuse(gettext_noop("“%(field)s”须在 %(start)s 至 %(end)s 之间"), field,
                      start=DATE_MIN.isoformat(), end=DATE_MAX.isoformat())
    return value


def year(value: object, field: str) -> int:
    """A plan's year within YEAR_MIN–YEAR_MAX."""
    try:
        number = value if isinstance(value, int) and not isinstance(value, bool) else int(str(value).strip())
    except ValueError:
        raise _refuse(gettext_noop("“%(field)s”应为四位数年度"), field) from None
    if not YEAR_MIN <= number <= YEAR_MAX:
        raise _refuse(gettext_noop("“%(field)s”须在 %(start)s 至 %(end)s 之间"), field, start=YEAR_MIN, end=YEAR_MAX)
    return number


def integer(value: int, field: str, *, minimum: int = 0, maximum: int = INT64_MAX) -> int:
    """An id, version or count within its column's integer range (default: a 64-bit id, not negative)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(gettext_noop("“%(field)s”应为整数"), field)
    if not minimum <= value <= maximum:
        raise _refuse(gettext_noop("“%(field)s”须在 %(start)s 至 %(end)s 之间"), field, start=minimum, end=maximum)
    return value


def text(value: str, field: str, *, max_length: int | None = None) -> str:
    """Text a person wrote, as every database column can keep it: no NUL character (PostgreSQL refuses it),
    no lone surrogate (not encodable as UTF-8), and at most `max_length` characters where the column has one."""
    if "\x00" in value:
        raise _refuse(gettext_noop("“%(field)s”不能包含空字符（NUL）"), field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _refuse(gettext_noop("“%(field)s”含有无法保存的字符"), field) from None
    if max_length is not None and len(value) > max_length:
        raise _refuse(gettext_noop("“%(field)s”最多 %(n)s 个字"), field, n=max_length)
    return value


def in_id_range(value: int) -> bool:
    """Whether an id can exist at all (a larger one is simply not found, never looked up)."""
    return 0 < value <= ID_MAX
