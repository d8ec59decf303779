"""GB 32100-2015 unified social credit code: check character worked by hand, public valid codes, invalid ones.

Character set 0123456789ABCDEFGHJKLMNPQRTUWXY (no I, O, Z, S, V; values 0–30), weights 3^(i−1) mod 31,
check = 31 − (Σ mod 31), 31 → 0 (envgov/standards/codes.py cites the sources).
"""
from __future__ import annotations

import pytest

from envgov.standards import codes


def test_weights_are_powers_of_three_mod_31():
    assert codes.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert codes.CHARSET == "0123456789ABCDEFGHJKLMNPQRTUWXY" and len(codes.CHARSET) == 31


def test_reference_example_worked_by_hand():
    # sources.md §2: permit code 91130200699229617X001P = credit code 91130200699229617X + 001 + P.
    # 9·1 + 1·3 + 1·9 + 3·27 + 0·19 + 2·26 + 0·16 + 0·17 + 6·20 + 9·29 + 9·25 + 2·13 + 2·8 + 9·24 + 6·10 + 1·30
    # + 7·28 = 9+3+9+81+0+52+0+0+120+261+225+26+16+216+60+30+196 = 1304; 1304 mod 31 = 2 (31·42 = 1302);
    # 31 − 2 = 29 → the 30th character of the set, "X".
    assert codes.check_character("91130200699229617") == "X"
    assert codes.is_valid("91130200699229617X")


@pytest.mark.parametrize("code", [
    # public examples (listed in a public validator, 02020/vite learn/utils/validateSocialCreditCode.js)
    "91350200776049653A", "91440101MA5CJQ4N59", "9135021359498494XQ", "91350213678251743X",
    "123502001549897397",
])
def test_public_valid_codes(code):
    assert codes.problem(code) is None
    assert codes.validate(code) == code


def test_check_value_31_is_written_0():
    # worked by hand: for first17 "00000000000000001" Σ = 1·28 = 28 → 31 − 28 = 3 → "3";
    # for "0000000000000000" + "B" (11): Σ = 11·28 = 308, 308 mod 31 = 29 → 31 − 29 = 2 → "2";
    # Σ ≡ 0 (mod 31) gives 31 → "0": all zeros.
    assert codes.check_character("00000000000000001") == "3"
    assert codes.check_character("0000000000000000B") == "2"
    assert codes.check_character("00000000000000000") == "0"


@pytest.mark.parametrize("code, words", [
    ("91130200699229617", "应为 18 位，收到 17 位"),
    ("91130200699229617X0", "应为 18 位，收到 19 位"),
    ("91130200699229617Y", "校验码错误：第 18 位为“Y”，按 GB 32100-2015 应为“X”"),
    ("9113020069922961IX", "第 17 位“I”不是允许的字符"),
    ("911302006992296O7X", "第 16 位“O”不是允许的字符"),
    ("91130200699229617x", "第 18 位“x”不是允许的字符"),  # lower case is not silently upper-cased
    ("911A0200699229617X", "第 3～8 位（登记管理机关行政区划码）应为数字"),
    ("", "应为 18 位，收到 0 位"),
])
def test_invalid_codes(code, words):
    p = codes.problem(code)
    assert p is not None and words in str(p)
    with pytest.raises(ValueError, match="统一社会信用代码"):
        codes.validate(code)
    assert not codes.is_valid(code)
