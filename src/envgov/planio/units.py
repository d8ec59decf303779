"""Unit (organisation) dictionary: Beijing district bodies and their aliases, as data.

`UnitDictionary.load(user_file)` reads `data/units.yaml` and merges a user file over it (same layout;
an entry with the same canonical name replaces the built-in one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

CJK = "\u4e00-\u9fff"


@dataclass
class UnitDictionary:
    names: dict[str, str]  # full alias (incl. canonical) → canonical
    short: dict[str, str]  # list-only short form → canonical
    collectives: set[str]
    all_towns_name: str
    all_towns_aliases: list[str]
    towns: set[str] = field(default_factory=set)
    districts: list[str] = field(default_factory=list)
    patterns: list[tuple[str, str]] = field(default_factory=list)  # (regex, canonical)

    @classmethod
    def load(cls, user_file: str | Path | None = None) -> UnitDictionary:
        base = _builtin()
        if user_file is None:
            return base
        from envgov.planio.errors import PlanImportError

        try:
            extra = yaml.safe_load(Path(user_file).read_text(encoding="utf-8")) or {}
            return _merge(base, extra)
        except (OSError, yaml.YAMLError, re.error, KeyError, TypeError, AttributeError) as exc:
            raise PlanImportError(
                f"单位词典文件无法读取或格式不对（需要 units: - name: … aliases: […]）：{exc}", str(user_file)
            ) from exc

    def canonical(self, name: str) -> str:
        """Canonical name of a printed unit name; unknown names come back without their 区/市 prefix."""
        n = name.strip()
        if n.endswith("政府") and len(n) > 4:
            n = n[:-2]
        for rx, canon in self.patterns:
            # patterns name the city body (市公安局通州分局); a plan's name may have lost the 市
            if re.fullmatch(rx, n) or re.fullmatch(rx, "市" + n):
                return canon
        for cand in (n, _strip_prefix(n)):
            if cand in self.names:
                return self.names[cand]
            if cand in self.short:
                return self.short[cand]
            if cand.endswith("部门") and cand[:-2] in self.short:
                return self.short[cand[:-2]]
        return _strip_prefix(n)

    @property
    def full_regex(self) -> re.Pattern[str]:
        return _full_regex(
            tuple(sorted(self.names, key=len, reverse=True)), tuple(rx for rx, _ in self.patterns)
        )


def _strip_prefix(n: str) -> str:
    for p in ("区委", "区", "市"):
        if n.startswith(p) and len(n) - len(p) >= 2 and not n.startswith("市场") and not n.startswith("区域"):
            return n[len(p) :]
    return n


@lru_cache(maxsize=8)
def _full_regex(aliases: tuple[str, ...], patterns: tuple[str, ...] = ()) -> re.Pattern[str]:
    alts = [f"(?:{p})" for p in patterns] + [re.escape(a) for a in aliases]
    return re.compile("(?:区委|区)?(?:" + "|".join(alts) + ")")


def _from_data(data: dict) -> UnitDictionary:
    names: dict[str, str] = {}
    short: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    for entry in data.get("units", []):
        canon = entry["name"]
        names[canon] = canon
        for rx in entry.get("patterns") or []:
            re.compile(rx)  # a bad pattern in a user file fails here, at load time
            patterns.append((rx, canon))
        for a in entry.get("aliases") or []:
            names[a] = canon
        for s in entry.get("short") or []:
            short[s] = canon
    towns: set[str] = set()
    for lst in (data.get("towns") or {}).values():
        towns.update(lst)
    return UnitDictionary(
        names=names,
        short=short,
        collectives=set(data.get("collectives") or []),
        all_towns_name=data.get("all_towns_name", "各街道乡镇"),
        all_towns_aliases=list(data.get("all_towns_aliases") or []),
        towns=towns,
        districts=list(data.get("districts") or []),
        patterns=patterns,
    )


@lru_cache(maxsize=1)
def _builtin() -> UnitDictionary:
    pkg = resources.files("envgov.planio") / "data"
    data = yaml.safe_load((pkg / "units.yaml").read_text(encoding="utf-8"))
    data.update(yaml.safe_load((pkg / "towns.yaml").read_text(encoding="utf-8")))
    return _from_data(data)


def _merge(base: UnitDictionary, extra: dict) -> UnitDictionary:
    add = _from_data({"units": extra.get("units", []), "towns": extra.get("towns", {})})
    replaced = {e["name"] for e in extra.get("units", [])}
    names = {a: c for a, c in base.names.items() if c not in replaced}
    short = {a: c for a, c in base.short.items() if c not in replaced}
    names.update(add.names)
    short.update(add.short)
    return UnitDictionary(
        names=names,
        short=short,
        collectives=base.collectives | set(extra.get("collectives") or []),
        all_towns_name=base.all_towns_name,
        all_towns_aliases=base.all_towns_aliases + list(extra.get("all_towns_aliases") or []),
        towns=base.towns | add.towns,
        patterns=[(rx, c) for rx, c in base.patterns if c not in replaced] + add.patterns,
        districts=base.districts + [d for d in extra.get("districts") or [] if d not in base.districts],
    )


# ---------------------------------------------------------------- names as the plan writes them
_PLACE_PREFIX = re.compile(rf"^(?:北京市|[{CJK}]{{2,3}}(?<![城都])[市县縣](?=[{CJK}]{{3,}}))")
_ONE_CHAR_PREFIX = re.compile(r"^(?:区委|[区區](?!域)|市(?!场|政)|[县縣](?![（(]))(?=[^\s（(]{2,})")


def as_written(name: str) -> str:
    """A unit name as the plan names it, without the owning place: 各县(区) 政府 → 县(区)政府,
    十堰市生态环境局丹江口分局 → 生态环境局丹江口分局, 县住建局 → 住建局; 环保局 stays 环保局."""
    n = re.sub(r"\s+", "", name).replace("(", "（").replace(")", "）")
    n = re.sub(r"^(?:各|全)(?=[\u4e00-\u9fff（]{2,})", "", n)
    n = _PLACE_PREFIX.sub("", n)
    n = _ONE_CHAR_PREFIX.sub("", n)
    return n


def match_registry(name: str, units: UnitDictionary) -> dict:
    """The registry unit a name written in a plan stands for (for the reviewer to confirm), with the reason."""
    n = as_written(name)
    for cand in (n, name.strip()):
        if cand in units.names:
            canon = units.names[cand]
            return {"unit": canon, "reason": "与单位名录同名" if canon == cand else f"单位名录中“{canon}”的别称"}
        if cand in units.short or (cand.endswith("部门") and cand[:-2] in units.short):
            canon = units.short.get(cand) or units.short[cand[:-2]]
            return {"unit": canon, "reason": f"单位名录中“{canon}”的简称"}
    for rx, canon in units.patterns:
        if re.fullmatch(rx, name.strip()) or re.fullmatch(rx, "市" + n):
            return {"unit": canon, "reason": f"符合单位名录中“{canon}”的名称规律"}
    if is_town(n, units):
        return {"unit": None, "town": True, "reason": "街道乡镇：记入任务的街乡镇，不是区级单位"}
    return {"unit": None, "reason": "单位名录中没有这个名称，请选择对应单位或新建"}


def is_town(name: str, units: UnitDictionary) -> bool:
    """A town (永顺镇, 潞邑街道) or the towns as a whole (各街道乡镇, 属地政府), not a district body."""
    n = name.strip()
    if n in units.all_towns_aliases or ("各" + n) in units.all_towns_aliases or n in units.towns:
        return True
    return bool(
        re.match(r"^(?:各|相关|属地)?(?:街道|乡镇|街乡|镇街|乡|镇)", n)
        or re.search(r"(?:镇|乡|街道)(?:（[^）]*）)?(?:人民)?(?:政府|办事处)?$", n)
    )
