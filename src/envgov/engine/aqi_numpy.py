"""Vectorised HJ 633 IAQI/AQI over numpy arrays, driven by the tables in `envgov.standards.air`.

Float arithmetic with guarded rounding: a value within 1e-9 of an integer (ceiling) or of x.5
(half up / half even) is treated as that exact value. For concentrations given with at most four
decimal places the true distance to a rounding boundary is either 0 or well above 1e-9 (breakpoint
gaps are ≤ 1140), so the result equals the exact evaluator `envgov.standards.air.iaqi`; tests hold
this on random and boundary inputs. NaN means missing in and out.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from envgov.standards.air import ABOVE_800_RULES, ROUNDING_RULES, breakpoints
from envgov.standards.air_realtime import RULES, RealtimeRule

EPS = 1e-9


def round_half_even_array(values: np.ndarray, digits: int = 0) -> np.ndarray:
    """GB/T 8170 (half even) on arrays, with the tie decided on the decimal value (±1e-9)."""
    scale = 10.0 ** digits
    x = np.asarray(values, dtype=float) * scale
    fl = np.floor(x)
    frac = x - fl
    tie = np.abs(frac - 0.5) < EPS
    up = (frac > 0.5) & ~tie
    odd = np.mod(fl, 2) == 1
    near_int = frac > 1 - EPS  # 1.9999999999 is 2
    out = fl + up + (tie & odd) + (near_int & ~up)
    return out / scale


def _round_result(raw: np.ndarray, method: str) -> np.ndarray:
    if method == "ceiling":
        return np.ceil(raw - EPS)
    if method == "half_up":
        return np.floor(raw + 0.5 + EPS)
    if method == "none":
        return raw
    raise ValueError(f"未知的取整方式：{method!r}")


def iaqi_array(
    edition: str,
    pollutant: str,
    averaging: str,
    conc: np.ndarray,
    *,
    rounding: str = "ceiling",
    round_input: bool | None = None,
    above_top: str = "cap",
) -> np.ndarray:
    """IAQI of every element (float array, NaN where missing or not computable).

    Same rules as `envgov.standards.air.iaqi`: 2026 inputs rounded per GB/T 8170 first (unless
    `round_input` says otherwise); SO2 1-h / O3 8-h above 800 → NaN in 2012 (the caller uses the
    fallback indicator) and 200/300 in 2026; above the top breakpoint 500 (`above_top="cap"`) or NaN.
    `rounding`: "ceiling" (HJ 633), "half_up" (observed Beijing 2017 convention) or "none" (raw).
    """
    bp = breakpoints(edition, pollutant, averaging)
    c = np.asarray(conc, dtype=float)
    if round_input is None:
        round_input = ROUNDING_RULES[(bp.edition, "iaqi_input")].method != "none"
    if round_input:
        digits = ROUNDING_RULES[(bp.edition, "iaqi_input")].digits.get(pollutant, 0)
        c = round_half_even_array(c, digits)
    bc = np.asarray(bp.conc, dtype=float)
    bi = np.asarray(bp.iaqi, dtype=float)
    with np.errstate(invalid="ignore"):
        if np.nanmin(c, initial=0.0) < 0:
            raise ValueError(f"浓度为负，无法计算分指数：{pollutant}")
        seg = np.clip(np.searchsorted(bc, c, side="left"), 1, len(bc) - 1)
        lo_c, hi_c = bc[seg - 1], bc[seg]
        lo_i, hi_i = bi[seg - 1], bi[seg]
        raw = (hi_i - lo_i) / (hi_c - lo_c) * (c - lo_c) + lo_i
        out = _round_result(raw, rounding)
        top = c > bc[-1]
        special = ABOVE_800_RULES.get((bp.edition, pollutant, bp.averaging))
        if special is not None:
            above = c > float(special["above"])  # type: ignore[arg-type]
            out = np.where(above, float(special["iaqi"]) if "iaqi" in special else np.nan, out)  # type: ignore[arg-type]
            top = top & ~above
        if above_top == "cap":
            out = np.where(top, bi[-1], out)
        elif above_top == "none":
            out = np.where(top, np.nan, out)
        else:
            raise ValueError(f"未知的超上限处理方式：{above_top!r}")
    return np.where(np.isnan(c), np.nan, out)


@dataclass
class HourlyAqiArrays:
    rule: str
    aqi: np.ndarray  # float, NaN = no indicator available
    iaqi: dict[str, np.ndarray]  # per indicator key
    primary: np.ndarray  # str: pollutant codes with the max IAQI joined by ";", "" when AQI ≤ 50 or missing


def hourly_aqi_arrays(rule: str | RealtimeRule, values: Mapping[str, np.ndarray]) -> HourlyAqiArrays:
    """Real-time AQI under a `RealtimeRule` for arrays of equal shape (missing keys = all missing)."""
    r = rule if isinstance(rule, RealtimeRule) else RULES[rule]
    shape = np.shape(next(iter(values.values()))) if values else (0,)
    nan = np.full(shape, np.nan)
    sub: dict[str, np.ndarray] = {}
    for ind in r.indicators:
        conc = np.asarray(values.get(ind.key, nan), dtype=float)
        v = iaqi_array(r.edition, ind.pollutant, ind.averaging, conc,
                       rounding=r.result_rounding, round_input=r.round_input)
        if ind.pollutant == "so2" and ind.averaging == "1h" and r.so2_fallback_key:
            # HJ 633-2012 Table 1 note 2: SO2 1-h > 800 → the SO2 IAQI of the 24-h mean.
            fb = iaqi_array(r.edition, "so2", "24h", np.asarray(values.get(r.so2_fallback_key, nan), dtype=float),
                            rounding=r.result_rounding, round_input=r.round_input)
            v = np.where(np.isnan(v) & ~np.isnan(conc), fb, v)
        sub[ind.key] = v
    stack = np.stack(list(sub.values())) if sub else np.full((1, *shape), np.nan)
    with np.errstate(invalid="ignore"):
        all_nan = np.all(np.isnan(stack), axis=0)
        aqi = np.where(all_nan, np.nan, np.nanmax(np.where(np.isnan(stack), -np.inf, stack), axis=0))
    primary = np.full(shape, "", dtype=object)
    seen: dict[str, np.ndarray] = {}
    for ind in r.indicators:
        hit = (sub[ind.key] == aqi) & (aqi > 50)
        seen[ind.pollutant] = seen.get(ind.pollutant, np.zeros(shape, bool)) | hit
    for pollutant, hit in seen.items():
        if hit.any():
            sep = np.where(primary[hit] == "", "", ";")
            primary[hit] = primary[hit] + sep + pollutant
    return HourlyAqiArrays(r.key, aqi, sub, primary)


__all__ = ["HourlyAqiArrays", "hourly_aqi_arrays", "iaqi_array", "round_half_even_array"]


# ---------------------------------------------------------------------------------------------------
# Station × hour grids: trailing statistics and AQI under a rule chosen per date
# ---------------------------------------------------------------------------------------------------
def full_hour_grid(times: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reindex (T, S) values on sorted unique hours to the complete hourly range (missing hours = NaN)."""
    t = np.asarray(times).astype("datetime64[h]")
    if len(t) == 0:
        return t, matrix
    grid = np.arange(t[0], t[-1] + np.timedelta64(1, "h"), np.timedelta64(1, "h"))
    out = np.full((len(grid), matrix.shape[1]), np.nan)
    out[(t - t[0]).astype(int)] = matrix
    return grid, out


def trailing_mean(matrix: np.ndarray, hours: int, min_count: int) -> np.ndarray:
    """Mean of the `hours` rows ending with each row (complete hourly grid), NaN with < `min_count` values.

    Used when an input carries no published moving mean; `min_count` comes from GB 3095 Table 4
    (24-h mean ≥ 20 hourly values, 8-h mean ≥ 6) via `validity_rules`.
    """
    valid = ~np.isnan(matrix)
    zeros = np.zeros((1, matrix.shape[1]))
    csum = np.concatenate([zeros, np.cumsum(np.where(valid, matrix, 0.0), axis=0)])
    ccount = np.concatenate([zeros, np.cumsum(valid, axis=0)])
    idx = np.arange(1, len(matrix) + 1)
    start = np.maximum(idx - hours, 0)
    total = csum[idx] - csum[start]
    count = ccount[idx] - ccount[start]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= min_count, total / count, np.nan)


@dataclass
class StationHourAqi:
    times: np.ndarray  # datetime64[h], complete hourly grid
    sites: tuple[str, ...]
    aqi: np.ndarray  # (T, S) float, NaN = not computable
    primary: np.ndarray  # (T, S) str
    rule: np.ndarray  # (T,) rule key per hour
    derived: tuple[str, ...]  # inputs computed here because the source did not carry them


def station_hour_aqi(
    times: np.ndarray, sites: tuple[str, ...], matrices: Mapping[str, np.ndarray], rule: str = "auto"
) -> StationHourAqi:
    """Real-time AQI of every station-hour; with rule "auto" the rule follows each hour's local date.

    `matrices`: code → (T, S) values on `times` (sorted unique hours): concentrations "so2", "no2", "co",
    "o3", "pm10", "pm25" and, when the source publishes them, "pm10_24h", "pm25_24h", "so2_24h",
    "o3_8h". A moving mean a rule needs but the source lacks entirely is computed from the hourly values
    (24-h: ≥ 20 values, 8-h: ≥ 6, GB 3095 Table 4).
    """
    from envgov.standards.air import validity_rules
    from envgov.standards.air_realtime import rule_for

    grid: np.ndarray | None = None
    full: dict[str, np.ndarray] = {}
    for code, m in matrices.items():
        grid, full[code] = full_hour_grid(times, m)
    if grid is None:
        raise ValueError("没有可计算的数据")
    days = grid.astype("datetime64[D]")
    uniq_days = np.unique(days)
    day_rule = {d: rule_for(d.astype(object), rule).key for d in uniq_days}
    rule_of_hour = np.array([day_rule[d] for d in days]) if len(days) else np.array([], dtype=object)
    needed = {k for key in set(day_rule.values()) for k in RULES[key].input_keys()}
    derived = []
    v = validity_rules("2012")
    for key, base, hours, minimum in (
        ("pm10_24h", "pm10", 24, v.daily_min_hours), ("pm25_24h", "pm25", 24, v.daily_min_hours),
        ("so2_24h", "so2", 24, v.daily_min_hours), ("o3_8h", "o3", 8, v.o3_8h_min_hours),
    ):
        have = key in full and not np.isnan(full[key]).all()
        if key in needed and not have and base in full:
            full[key] = trailing_mean(full[base], hours, minimum)
            derived.append(key)
    shape = (len(grid), len(sites))
    aqi = np.full(shape, np.nan)
    primary = np.full(shape, "", dtype=object)
    for key in dict.fromkeys(day_rule.values()):
        rows = rule_of_hour == key
        nan = np.full((int(rows.sum()), len(sites)), np.nan)
        part = hourly_aqi_arrays(key, {k: full[k][rows] if k in full else nan for k in RULES[key].input_keys()})
        aqi[rows] = part.aqi
        primary[rows] = part.primary
    return StationHourAqi(grid, tuple(sites), aqi, primary, rule_of_hour, tuple(derived))


__all__ += ["StationHourAqi", "full_hour_grid", "station_hour_aqi", "trailing_mean"]
