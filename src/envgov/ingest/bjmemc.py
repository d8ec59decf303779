"""Reader for the Beijing Municipal Environmental Monitoring Center hourly release ("quotsoft" daily files).

Layout (see /work/shared/data/official_aqi/PROVENANCE.md): CSV or gzip CSV with the header
``date,hour,type,<station 1>,…,<station n>`` (35 stations in 2014–2018 files), one row per
(date, hour, type):

* ``date`` YYYYMMDD, ``hour`` 0–23, local time (Asia/Shanghai). The release does not say whether hour
  h labels the hour starting or ending at h; envgov keeps the label as the time of the value
  (``date`` + h:00), the same choice as the ``uci-beijing`` profile for data of the same origin, so the
  24 hours of a file are one natural day.
* ``type``: concentrations ``PM2.5, PM10, SO2, NO2, O3, CO`` (1-h means), published trailing statistics
  ``PM2.5_24h, PM10_24h, SO2_24h, NO2_24h, CO_24h`` (mean of the 24 hours ending with this hour),
  ``O3_24h`` (maximum of those 24 hours), ``O3_8h``/``O3_8h_24h`` in later files, and ``AQI`` (the
  published real-time AQI).
* Units: µg/m³, CO mg/m³ — already the platform's units, so values are not converted.
* An empty cell is a missing value.

Output: `BjmemcRelease` (time × station matrices per type, for vectorised AQI work) and, through
`BjmemcRelease.to_table`, a tidy pyarrow table (kind, site, time, parameter, value) like
`envgov.ingest.hourly`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# Release type label → envgov code. Concentrations keep the platform's parameter codes; published
# derived statistics get a suffix saying what they are.
TYPE_CODES: dict[str, str] = {
    "PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "O3": "o3", "CO": "co",
    "PM2.5_24h": "pm25_24h", "PM10_24h": "pm10_24h", "SO2_24h": "so2_24h", "NO2_24h": "no2_24h",
    "CO_24h": "co_24h", "O3_24h": "o3_24h_max", "O3_8h": "o3_8h", "O3_8h_24h": "o3_8h_24h_max",
    "AQI": "aqi",
}
CONCENTRATION_CODES: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "co", "o3")
FIXED_COLUMNS = ("date", "hour", "type")
# The 35 stations of the 2014–2018 files, in file order (PROVENANCE.md "Columns").
STATIONS_35: tuple[str, ...] = (
    "东四", "天坛", "官园", "万寿西宫", "奥体中心", "农展馆", "万柳", "北部新区", "植物园", "丰台花园", "云岗", "古城",
    "房山", "大兴", "亦庄", "通州", "顺义", "昌平", "门头沟", "平谷", "怀柔", "密云", "延庆", "定陵", "八达岭",
    "密云水库", "东高村", "永乐店", "榆垡", "琉璃河", "前门", "永定门内", "西直门北", "南三环", "东四环",
)


class BjmemcFormatError(ValueError):
    """A located problem in a release file (file, row, column, reason in Chinese)."""

    def __init__(self, file: str, row: int | None, column: str | None, reason: str):
        self.file, self.row, self.column, self.reason = file, row, column, reason
        where = file + (f" 第 {row} 行" if row else "") + (f" 列「{column}」" if column else "")
        super().__init__(f"{where}：{reason}")


@dataclass
class BjmemcRelease:
    sites: tuple[str, ...]
    times: np.ndarray  # datetime64[h], sorted, unique (local time, hour label of the release)
    values: dict[str, np.ndarray] = field(default_factory=dict)  # code → float64 (len(times), len(sites))
    files: tuple[str, ...] = ()

    def get(self, code: str) -> np.ndarray:
        """Matrix of one type; all-NaN when the release does not carry it."""
        out = self.values.get(code)
        if out is None:
            return np.full((len(self.times), len(self.sites)), np.nan)
        return out

    def to_table(self, codes: Sequence[str] = CONCENTRATION_CODES) -> pa.Table:
        """Tidy table kind, site, time, parameter, value (missing values dropped)."""
        parts = []
        site_arr = np.array(self.sites, dtype=object)
        for code in codes:
            m = self.values.get(code)
            if m is None:
                continue
            ti, si = np.nonzero(~np.isnan(m))
            parts.append(pa.table({
                "kind": pa.array(["air"] * len(ti), pa.string()),
                "site": pa.array(site_arr[si], pa.string()),
                "time": pa.array(self.times[ti].astype("datetime64[s]"), pa.timestamp("s")),
                "parameter": pa.array([code] * len(ti), pa.string()),
                "value": pa.array(m[ti, si], pa.float64()),
            }))
        if not parts:
            return pa.table({"kind": pa.array([], pa.string()), "site": pa.array([], pa.string()),
                             "time": pa.array([], pa.timestamp("s")), "parameter": pa.array([], pa.string()),
                             "value": pa.array([], pa.float64())})
        return pa.concat_tables(parts)


def _read_one(path: Path) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    name = path.name
    # gzip is recognised by its magic bytes, not the name: the archive has gzip files named .csv
    with path.open("rb") as fh:
        compression = "gzip" if fh.read(2) == b"\x1f\x8b" else None
    try:
        with pa.input_stream(str(path), compression=compression) as stream:
            lines = stream.read(65536).decode("utf-8-sig", errors="replace").splitlines()
    except (OSError, pa.ArrowInvalid) as exc:
        raise BjmemcFormatError(name, None, None, f"无法读取文件：{exc}") from None
    if not lines:
        raise BjmemcFormatError(name, None, None, "文件为空")
    head = lines[0]
    header = [h.strip() for h in head.split(",")]
    if [h.lower() for h in header[:3]] != list(FIXED_COLUMNS):
        raise BjmemcFormatError(name, 1, None, f"表头应以 date,hour,type 开头，实际为 {','.join(header[:3])}")
    sites = header[3:]
    if not sites or any(not s for s in sites) or len(set(sites)) != len(sites):
        raise BjmemcFormatError(name, 1, None, "站点列名为空或重复")
    types = {"date": pa.string(), "hour": pa.int64(), "type": pa.string()} | {s: pa.float64() for s in sites}
    try:
        table = pacsv.read_csv(
            pa.input_stream(str(path), compression=compression),
            read_options=pacsv.ReadOptions(column_names=["date", "hour", "type", *sites], skip_rows=1),
            convert_options=pacsv.ConvertOptions(column_types=types, null_values=[""], strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        raise BjmemcFormatError(name, None, None, f"数据无法解析为数值：{exc}") from None
    # time = date + hour, validated
    hours = table["hour"].to_numpy(zero_copy_only=False)
    bad = np.nonzero((hours < 0) | (hours > 23))[0]
    if len(bad):
        raise BjmemcFormatError(name, int(bad[0]) + 2, "hour", f"小时应为 0–23，实际为 {hours[bad[0]]}")
    try:
        days = pc.strptime(table["date"], format="%Y%m%d", unit="s", error_is_null=True)
    except pa.ArrowInvalid as exc:  # pragma: no cover - error_is_null makes this unreachable
        raise BjmemcFormatError(name, None, "date", str(exc)) from None
    day_np = days.to_numpy(zero_copy_only=False)
    bad = np.nonzero(np.isnat(day_np))[0]
    if len(bad):
        raise BjmemcFormatError(name, int(bad[0]) + 2, "date", f"日期应为 YYYYMMDD，实际为「{table['date'][int(bad[0])]}」")
    times = day_np.astype("datetime64[h]") + hours.astype("timedelta64[h]")
    labels = [str(t).strip() for t in table["type"].to_pylist()]
    unknown = [i for i, t in enumerate(labels) if t not in TYPE_CODES]
    if unknown:
        raise BjmemcFormatError(name, unknown[0] + 2, "type", f"未知的数据类型「{labels[unknown[0]]}」")
    matrix = np.column_stack([table[s].to_numpy(zero_copy_only=False).astype(float) for s in sites]) if len(
        table) else np.empty((0, len(sites)))
    neg = np.argwhere(matrix < 0)
    if len(neg):
        r, c = neg[0]
        raise BjmemcFormatError(name, int(r) + 2, sites[c], f"浓度为负值 {matrix[r, c]:g}")
    return sites, times, [TYPE_CODES[t] for t in labels], matrix


def read_bjmemc(paths: str | Path | Iterable[str | Path]) -> BjmemcRelease:
    """Read one or more release files (CSV or .csv.gz) into one `BjmemcRelease`.

    Files may cover different days and different station sets; the result has the union of stations
    (first-seen order) and of hours. A (time, type, station) given twice with different values is an error.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("没有输入文件")
    chunks = []
    sites: list[str] = []
    for f in files:
        if not f.exists():
            raise BjmemcFormatError(f.name, None, None, "文件不存在")
        f_sites, times, codes, matrix = _read_one(f)
        for s in f_sites:
            if s not in sites:
                sites.append(s)
        chunks.append((f.name, f_sites, times, codes, matrix))
    all_times = np.unique(np.concatenate([c[2] for c in chunks])) if chunks else np.array([], "datetime64[h]")
    site_index = {s: i for i, s in enumerate(sites)}
    values: dict[str, np.ndarray] = {}
    filled: dict[str, np.ndarray] = {}
    for name, f_sites, times, codes, matrix in chunks:
        cols = np.array([site_index[s] for s in f_sites])
        ti = np.searchsorted(all_times, times)
        code_arr = np.array(codes)
        for code in dict.fromkeys(codes):
            rows = np.nonzero(code_arr == code)[0]
            if code not in values:
                values[code] = np.full((len(all_times), len(sites)), np.nan)
                filled[code] = np.zeros(len(all_times), dtype=np.int32)
            target = values[code]
            t_rows = ti[rows]
            # duplicates within the file or with earlier files: equal values are tolerated
            _, counts = np.unique(t_rows, return_counts=True)
            seen_before = filled[code][t_rows] > 0
            if (counts > 1).any() or seen_before.any():
                for k, r in enumerate(rows):
                    old = target[t_rows[k], cols]
                    new = matrix[r]
                    both = ~np.isnan(old) & ~np.isnan(new)
                    if (old[both] != new[both]).any():
                        raise BjmemcFormatError(
                            name, int(r) + 2, "type",
                            f"{all_times[t_rows[k]]!s} 的 {code} 重复出现且数值不同",
                        )
                    merged = np.where(np.isnan(old), new, old)
                    target[t_rows[k], cols] = merged
                    filled[code][t_rows[k]] += 1
            else:
                target[np.ix_(t_rows, cols)] = matrix[rows]
                filled[code][t_rows] += 1
    return BjmemcRelease(tuple(sites), all_times, values, tuple(f.name for f in files))


__all__ = ["CONCENTRATION_CODES", "STATIONS_35", "TYPE_CODES", "BjmemcFormatError", "BjmemcRelease", "read_bjmemc"]
