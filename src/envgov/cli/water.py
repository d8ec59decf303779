"""`envgov water …` commands: classify (GB 3838-2002 class of every published record), compensation
(monthly cross-boundary compensation ledger, `envgov.rules.compensation`)."""
from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from envgov.cli.common import fail

PROFILES = ("cnemc-auto",)
PERIODS = ("sample", "month", "quarter", "year")


class OutputFormat(str, Enum):
    csv = "csv"
    json = "json"


def classify(
    inputs: Annotated[list[Path], typer.Argument(help="国家地表水自动监测发布数据文件（CSV / CSV.GZ，可多个）")],
    profile: Annotated[str, typer.Option("--profile", help="导入配置：cnemc-auto（国家地表水水质自动监测实时数据）")] = "cnemc-auto",
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式 csv 或 json")] = OutputFormat.csv,
    sections: Annotated[Path | None, typer.Option(
        "--sections", help="断面表（CSV：code,kind[,river,target]），更正按规则判定的河流/湖库类型")] = None,
    sections_out: Annotated[Path | None, typer.Option(
        "--sections-out", help="把导入时填写的断面表（含判定规则）写入此 CSV 文件，供核对、更正")] = None,
    period: Annotated[str, typer.Option(
        "--period", help="sample：逐条记录（缺省）；month|quarter|year：按断面时段均值评价，time 列为时段（如 2021-04）")] = "sample",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件；缺省写到标准输出")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="未核实规则的用户设定值 KEY=VALUE，可重复（如 lake_tn_counts=是）；见 docs/water.md")] = None,
) -> None:
    """按 GB 3838-2002 单因子评价逐条记录的水质类别。CSV 列：site,time,class（Ⅰ…Ⅴ、劣Ⅴ，不能评价时为空；
    time 为本地时间 ISO 8601，发布数据无时间时为空）。"""
    if profile not in PROFILES:
        raise fail(f"未知导入配置「{profile}」；可用：{'、'.join(PROFILES)}")
    if period not in PERIODS:
        raise fail(f"--period 只能是 {'、'.join(PERIODS)}，收到「{period}」")
    from envgov.standards.water import parameters

    values: dict[str, str] = {}
    for item in param or []:
        key, sep, val = item.partition("=")
        if not sep:
            raise fail(f"--param 应写作 KEY=VALUE：{item}")
        values[key.strip()] = val
    try:
        clean = parameters.clean(values)
    except ValueError as exc:
        raise fail(str(exc)) from None
    from envgov.ingest import water_cnemc

    releases = []
    failed = False
    for p in inputs:
        r = water_cnemc.read_release(p)
        if not r.report.ok:
            typer.echo(r.report.summary(), err=True)
            failed = True
        releases.append(r)
    if failed:
        raise typer.Exit(code=1)
    release = releases[0] if len(releases) == 1 else water_cnemc.merge(releases)
    for w in release.report.warnings:
        typer.echo(f"注：{w.reason}", err=True)
    if sections is not None:
        fixes, rep = water_cnemc.read_sections(sections)
        if not rep.ok:
            typer.echo(rep.summary(), err=True)
            raise typer.Exit(code=1)
        release.sections.apply(fixes)
    if sections_out is not None:
        water_cnemc.write_sections(release.sections, sections_out)
    text = render(release, output_format, clean) if period == "sample" else \
        render_periods(release, output_format, period, clean)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


def render(release, output_format: OutputFormat, values: dict | None = None) -> str:
    """The classified records as CSV (site,time,class) or JSON (with status, kind, main pollutants)."""
    import csv
    import io

    import numpy as np

    from envgov.engine import water
    from envgov.standards.water import parameters
    from envgov.standards.water.tables import CLASS_LABELS, STATUS

    samples = release.samples
    with parameters.using(values):
        lake = water.lake_mask(samples["site"], release.sections.kinds())
        result = water.classify(samples, lake)
        primary = result.primary_text() if output_format is OutputFormat.json else None
        prov = water.provenance()
    times = samples["time"].to_numpy(zero_copy_only=False).astype("datetime64[m]")
    time_text = np.where(np.isnat(times), "", np.datetime_as_string(times, unit="m"))
    sites = samples["site"].to_numpy(zero_copy_only=False)
    labels = result.labels
    if output_format is OutputFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["site", "time", "class"])
        w.writerows(zip(sites, time_text, labels))
        return buf.getvalue()
    published = samples["published"].to_numpy()
    rows = samples["row"].to_numpy()
    target = water.targets_of(samples["site"], release.sections.targets())
    attained = water.attainment(result.cls, target)
    status = ["", *(STATUS[c].word for c in range(1, 7))]
    met = {1: True, 0: False, -1: None}
    records = [
        {"site": s, "time": t or None, "class": c or None, "status": status[k] or None,
         "kind": "lake" if lk else "river", "primary_pollutants": pp,
         "target": CLASS_LABELS.get(tg), "attained": met[a],
         "published_class": CLASS_LABELS.get(int(pc_)), "row": int(r)}
        for s, t, c, k, lk, pp, tg, a, pc_, r in zip(sites, time_text, labels, result.cls.tolist(), lake.tolist(),
                                                     primary, target.tolist(), attained.tolist(), published, rows)
    ]
    doc = {"profile": release.report.profile, "file": release.report.file, "provenance": prov,
           "sections": release.sections.to_table().to_pylist(), "samples": records}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def render_periods(release, output_format: OutputFormat, period: str, values: dict | None = None) -> str:
    """Class of each section's period means (评价办法 §2.2: the arithmetic mean of the period's samples)."""
    import csv
    import io

    from envgov.engine import water
    from envgov.ingest.water_cnemc import VALUE_COLUMNS
    from envgov.standards.water import parameters
    from envgov.standards.water.tables import STATUS

    with parameters.using(values):
        means = water.period_means(release.samples, period, codes=list(VALUE_COLUMNS.values()))
        lake = water.lake_mask(means["site"], release.sections.kinds())
        result = water.classify(means, lake)
        primary = result.primary_text() if output_format is OutputFormat.json else None
        prov = water.provenance()
    sites, periods = means["site"].to_pylist(), means["period"].to_pylist()
    labels = result.labels
    if output_format is OutputFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["site", "time", "class"])
        w.writerows(zip(sites, periods, labels))
        return buf.getvalue()
    from envgov.standards.water.tables import CLASS_LABELS

    target = water.targets_of(means["site"], release.sections.targets())
    attained = water.attainment(result.cls, target)
    status = ["", *(STATUS[c].word for c in range(1, 7))]
    met = {1: True, 0: False, -1: None}
    records = [{"site": s, "period": p, "samples": n, "class": c or None, "status": status[k] or None,
                "kind": "lake" if lk else "river", "primary_pollutants": pp, "target": CLASS_LABELS.get(tg),
                "attained": met[a]}
               for s, p, n, c, k, lk, pp, tg, a in zip(sites, periods, means["samples"].to_pylist(), labels,
                                                       result.cls.tolist(), lake.tolist(), primary,
                                                       target.tolist(), attained.tolist())]
    share = water.shares(result.cls)
    doc = {"profile": release.report.profile, "file": release.report.file, "period": period,
           "provenance": prov, "sections": release.sections.to_table().to_pylist(),
           "summary": {"assessed": share.sections, "class_i_to_iii": share.good,
                       "worse_than_v": share.worse_than_v, "share_i_to_iii": share.share_good,
                       "share_worse_than_v": share.share_worse_than_v,
                       "note": "各时段断面合计（一个断面多个时段时每个时段各计一次）"},
           "periods": records}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


class LedgerFormat(str, Enum):
    json = "json"
    xlsx = "xlsx"


def compensation(
    month: Annotated[str, typer.Option("--month", help="核算月份 YYYY-MM，如 2024-03")],
    rules: Annotated[str, typer.Option(
        "--rules", help="规则集：beijing-2015、beijing-2022、town、yanqing-2016")] = "beijing-2015",
    output_format: Annotated[LedgerFormat, typer.Option("--format", "-f", help="输出格式 json 或 xlsx")] = LedgerFormat.json,
    sections: Annotated[Path | None, typer.Option(
        "--sections", help="断面表（CSV/XLSX：code,name,river,kind,target,payer,receiver,inflow）；缺省用演示区模拟数据")] = None,
    values: Annotated[Path | None, typer.Option(
        "--values", help="监测值（CSV/XLSX：site,time,parameter,value,unit）；缺省用演示区模拟数据")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="规则集的用户设定参数 KEY=VALUE，可重复（如 worse_than_v_extra=10，金额单位万元）")] = None,
    what_if: Annotated[list[str] | None, typer.Option(
        "--what-if", help="假设分析：污染物=±百分比，可重复（如 nh3n=-10%）")] = None,
    what_if_for: Annotated[str | None, typer.Option(
        "--what-if-for", help="假设只改变此补偿方（区或乡镇）的出境断面；缺省为所有断面")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件；xlsx 必须给出，json 缺省写到标准输出")] = None,
) -> None:
    """按跨界断面补偿规则集核算一个月的补偿金：补偿方 → 受偿方 → 金额，每笔附中文核算过程。"""
    from envgov.ingest import compensation as reader
    from envgov.rules import compensation as comp

    try:
        rule_set = comp.rule_set(rules)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if output_format is LedgerFormat.xlsx and output is None:
        raise fail("--format xlsx 需要用 -o 指定输出文件")
    raw: dict[str, str] = {}
    for item in param or []:
        key, sep, val = item.partition("=")
        if not sep:
            raise fail(f"--param 应写作 KEY=VALUE：{item}")
        raw[key.strip()] = val
    changes = {}
    try:
        params = comp.clean_params(rule_set, raw)
        for item in what_if or []:
            code, change = comp.parse_change(item)
            changes[code] = change
    except ValueError as exc:
        raise fail(str(exc)) from None
    if (sections is None) != (values is None):
        raise fail("--sections 与 --values 需同时给出（都不给时使用演示区模拟数据）")
    if sections is None:
        demo = Path(__file__).resolve().parent.parent / "demo" / "data"
        sections = demo / f"water_compensation_{rule_set.level}_sections.csv"
        values = demo / f"water_compensation_{rule_set.level}_2024.csv"
        typer.echo(f"注：未给出 --sections/--values，使用演示区（通州区）模拟数据：{sections.name}、{values.name}", err=True)
    table, rep = reader.read_sections(sections)
    if table is None:
        typer.echo(rep.summary(), err=True)
        raise typer.Exit(code=1)
    month_values, rep = reader.read_values(values, table)  # type: ignore[arg-type]
    if month_values is None:
        typer.echo(rep.summary(), err=True)
        raise typer.Exit(code=1)
    if rep.duplicates_dropped:
        typer.echo(f"注：{values.name} 中完全相同的重复行 {rep.duplicates_dropped} 行只计一次", err=True)  # type: ignore[union-attr]
    try:
        if changes:
            result = comp.what_if(rule_set, table, month_values, month, params, changes, what_if_for)
            ledger, scenario = result.baseline, result
        else:
            if what_if_for:
                raise fail("--what-if-for 需与 --what-if 一起使用")
            ledger, scenario = comp.evaluate(rule_set, table, month_values, month, params), None
    except comp.MissingParameter as exc:
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(code=2) from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    for w in ledger.warnings:
        typer.echo(f"注：{w}", err=True)
    if output_format is LedgerFormat.xlsx:
        from envgov.reports.compensation import ledger_xlsx

        output.write_bytes(ledger_xlsx(ledger, scenario))  # type: ignore[union-attr]
        return
    doc = ledger.to_dict()
    if scenario is not None:
        doc["what_if"] = scenario.to_dict()
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


def register(water_app: typer.Typer) -> None:
    """Attach the water commands to the `water` group."""
    water_app.command("classify")(classify)
    water_app.command("compensation")(compensation)
