"""A set of user-set parameters (rules the reference marks UNCONFIRMED), as one reusable object.

`envgov.standards.air.parameters` and `envgov.standards.water.parameters` each carry the same contract in
module form; the noise and ecology standards use this class instead of a third and fourth copy. The
record is the air module's `Parameter` (key, Chinese label, kind, default, the rule it stands for, why the
rule is unconfirmed). Kinds: "int", "bool", "choice" and "time" (HH:MM, a local clock time).

    >>> from envgov.standards.noise.parameters import PARAMETERS
    >>> with PARAMETERS.using({"night_start": "23:00"}):
    ...     PARAMETERS.value("night_start")
    '23:00'

`using(values)` applies values to every computation inside it (a context variable, so concurrent requests
do not see each other's values); `provenance()` lists every value with its default and whether the user set
it, which results carry so that nobody mistakes a default for a verified rule.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from envgov.catalogue import gettext_noop
from envgov.standards.air.parameters import Parameter

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

MSG_UNKNOWN = gettext_noop("未知参数：%(key)s")
MSG_INT = gettext_noop("%(label)s：应为整数，收到“%(raw)s”")
MSG_RANGE = gettext_noop("%(label)s：应在 %(minimum)s–%(maximum)s 之间，收到 %(value)s")
MSG_BOOL = gettext_noop("%(label)s：应为是或否，收到“%(raw)s”")
MSG_CHOICE = gettext_noop("%(label)s：可选 %(choices)s，收到“%(raw)s”")
MSG_TIME = gettext_noop("%(label)s：应为时刻 HH:MM（如 22:00），收到“%(raw)s”")


class ParameterSet:
    def __init__(self, name: str, parameters: Sequence[Parameter],
                 check: Callable[[Mapping[str, object]], None] | None = None) -> None:
        """`check`, when given, sees the merged values (defaults + the user's) and raises ValueError (Chinese
        message) for combinations that cannot stand, e.g. a night that starts when it ends."""
        self.name = name
        self._check = check
        self.parameters: tuple[Parameter, ...] = tuple(parameters)
        self.by_key: dict[str, Parameter] = {p.key: p for p in self.parameters}
        self.defaults: dict[str, object] = {p.key: p.default for p in self.parameters}
        self._values: ContextVar[Mapping[str, object]] = ContextVar(f"envgov_{name}_parameters",
                                                                    default=self.defaults)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters)

    def clean(self, values: Mapping[str, object]) -> dict[str, object]:
        """Checked, typed values (strings from a form or a command line are accepted).

        Raises ValueError whose message is the Chinese text (the template is marked for translation)."""
        out: dict[str, object] = {}
        for key, raw in values.items():
            p = self.by_key.get(key)
            if p is None:
                raise ValueError(MSG_UNKNOWN % {"key": key})
            text = str(raw).strip()
            if p.kind == "int":
                try:
                    v: object = int(text)
                except ValueError:
                    raise ValueError(MSG_INT % {"label": p.label, "raw": raw}) from None
                if (p.minimum is not None and v < p.minimum) or (p.maximum is not None and v > p.maximum):  # type: ignore[operator]
                    raise ValueError(MSG_RANGE % {"label": p.label, "minimum": p.minimum, "maximum": p.maximum,
                                                  "value": v})
            elif p.kind == "bool":
                if isinstance(raw, bool):
                    v = raw
                elif text.lower() in ("1", "true", "yes", "on", "是"):
                    v = True
                elif text.lower() in ("0", "false", "no", "off", "否", ""):
                    v = False
                else:
                    raise ValueError(MSG_BOOL % {"label": p.label, "raw": raw})
            elif p.kind == "time":
                m = _TIME.match(text)
                if m is None:
                    raise ValueError(MSG_TIME % {"label": p.label, "raw": raw})
                v = f"{int(m.group(1)):02d}:{m.group(2)}"
            else:
                v = text
                if v not in p.choices:
                    raise ValueError(MSG_CHOICE % {"label": p.label, "choices": "、".join(p.choices), "raw": raw})
            out[key] = v
        if self._check is not None:
            self._check({**self.defaults, **out})
        return out

    def value(self, key: str) -> object:
        return self._values.get()[key]

    def current(self) -> dict[str, object]:
        return dict(self._values.get())

    @contextmanager
    def using(self, values: Mapping[str, object] | None) -> Iterator[dict[str, object]]:
        """Apply `values` (others keep their defaults) to every computation inside the block."""
        merged = {**self.defaults, **self.clean(values or {})}
        token = self._values.set(merged)
        try:
            yield merged
        finally:
            self._values.reset(token)

    def provenance(self) -> list[dict[str, object]]:
        """The parameters as results report them: value, default, whether the user set it, unconfirmed."""
        vals = self._values.get()
        return [{"key": p.key, "label": p.label, "value": vals[p.key], "default": p.default,
                 "user_set": vals[p.key] != p.default, "confidence": "unconfirmed"} for p in self.parameters]


def parse_params(items: Sequence[str] | None) -> dict[str, str]:
    """KEY=VALUE strings of a command line into a dict (ValueError with a Chinese message otherwise)."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, val = item.partition("=")
        if not sep:
            raise ValueError(gettext_noop("--param 应写作 KEY=VALUE：%(item)s") % {"item": item})
        out[key.strip()] = val
    return out
