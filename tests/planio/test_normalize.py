"""Normalisation: noise removed, real text kept, and every character maps back to its source."""

from __future__ import annotations

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envgov.planio.normalize import is_pinyin_syllable, normalize_text


def norm(s: str) -> str:
    return normalize_text(s).text


@pytest.mark.parametrize(
    "raw, expected",
    [
        # inline romanisation after each character (tone marks), as scraped from document sites
        ("密云區(qū)生態(tài)環(huán)境保護(hù)規(guī)劃", "密云区生态环境保护规划"),
        # toneless syllables, also repeated after one character
        ("為全面落實(shi)北(bei)京(jing)市(shi)(shi)(shi)委", "为全面落实北京市委"),
        ("部署(shu)，延(yan)慶", "部署，延庆"),
    ],
)
def test_romanisation_noise_removed(raw: str, expected: str) -> None:
    assert norm(raw) == expected


@pytest.mark.parametrize(
    "raw, kept",
    [
        ("挥发性有机物(VOCs)减排", "VOCs"),
        ("化学需氧量(COD)累计减排4260吨", "COD"),
        ("重污染天数不超过4天(扣除沙尘影响)", "扣除沙尘影响"),
        ("三年行动计划(2023-2025年)", "2023-2025年"),
        ("国二及以下(含x阶段)排放标准", "含x阶段"),
        ("氮氧化物(NOx)", "NOx"),
        ("生态环境状况(EI)指数", "EI"),
    ],
)
def test_real_parentheses_kept(raw: str, kept: str) -> None:
    out = norm(raw)
    assert f"（{kept}）" in out


def test_pinyin_syllables() -> None:
    for s in ("qū", "shí", "huán", "lv", "lve", "zhuǎn", "er", "a"):
        assert is_pinyin_syllable(s), s
    for s in ("vocs", "ppm", "nox", "x", "cod"):
        assert not is_pinyin_syllable(s), s


def test_traditional_to_simplified() -> None:
    assert norm("區域環境質量臺賬") == "区域环境质量台账"


def test_width_and_punctuation_unified() -> None:
    assert norm("ＰＭ２.５浓度达到35微克/立方米,一季度达到51") == "PM2.5浓度达到35微克/立方米，一季度达到51"
    # numbers keep their separators
    assert norm("共1,000辆，时间18:47") == "共1,000辆，时间18:47"
    assert norm("PM 2.5 浓度下降") == "PM2.5浓度下降"


def test_page_numbers_headers_and_boilerplate_dropped() -> None:
    lines = (
        "分享:",
        "字号:",
        "某区2024年生态环境保护工作计划",
        "一、主要任务",
        "1.推进工作。完成治理。",
        "-12-",
        "第 3 页",
        "2.加强监管。",
        "主办:北京市某区人民政府  京ICP备12345号",
    )
    raw = "\n".join(lines)
    out = norm(raw).split("\n")
    assert out == ["某区2024年生态环境保护工作计划", "一、主要任务", "1.推进工作。完成治理。", "2.加强监管。"]


def test_hard_wrapped_lines_rejoined() -> None:
    # a PDF-like layout: fixed-width lines, blank lines between, page numbers between pages
    para = "持续推进大气污染防治工作，" * 12 + "完成任务。"
    width = 20
    lines = [para[i : i + width] for i in range(0, len(para), width)]
    raw = (
        "第一章总则\n\n"
        + "\n\n".join(lines[:4])
        + "\n\n-3-\n\n"
        + "\n\n".join(lines[4:])
        + "\n\n二、目标\n\n到2025年完成。"
    )
    out = norm(raw).split("\n")
    assert out == ["第一章总则", para, "二、目标", "到2025年完成。"]


def test_one_paragraph_per_line_not_joined() -> None:
    raw = "延庆区：高位统筹，构建全民共治格局\n延庆区以“生态环境类指标”为引领，形成体系。"
    assert norm(raw).split("\n") == [
        "延庆区：高位统筹，构建全民共治格局",
        "延庆区以“生态环境类指标”为引领，形成体系。",
    ]


def test_offsets_point_into_original() -> None:
    raw = "密云區(qū)生態(tài)環(huán)境局\n\n-4-\n\n第一章 總則"
    mt = normalize_text(raw)
    conv = opencc.OpenCC("t2s")
    for i, ch in enumerate(mt.text):
        src = raw[mt.pos[i]]
        if ch != "\n":
            assert conv.convert(src) == ch, (i, ch, src)
    s = mt.text.index("生态")
    a, b = mt.original_span(s, s + 2)
    assert raw[a:b] == "生態(tài)環"[: b - a] and raw[a] == "生" and raw[b - 1] == "態"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="區域环境(shiqū)VOCs，。\n 12-第页治理推进", max_size=80))
def test_map_is_monotonic_and_in_range(raw: str) -> None:
    mt = normalize_text(raw)
    assert len(mt.pos) == len(mt.text) + 1
    assert all(0 <= p <= len(raw) for p in mt.pos)
    assert list(mt.pos) == sorted(mt.pos)
