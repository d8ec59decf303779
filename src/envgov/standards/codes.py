"""GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》: the 18-character unified social credit code
(统一社会信用代码) and its check character. Plain Python.

Structure (GB 32100-2015, as public implementations restate it): 1 登记管理部门代码, 2 机构类别代码,
3–8 登记管理机关行政区划码 (GB/T 2260), 9–17 主体标识码 (组织机构代码), 18 校验码.

Check character: the code's character set is 0–9 and the capital letters **without I, O, Z, S, V** (31
characters, values 0–30 in the order 0123456789ABCDEFGHJKLMNPQRTUWXY); the weight of position i (1-based,
i = 1…17) is 3^(i−1) mod 31 (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28); the check value
is 31 − (Σ value × weight mod 31), with 31 written as 0.
Sources: the reference names the code (sources.md §2: 18-char 统一社会信用代码 inside the 22-char permit code,
example 91130200699229617X001P, S-S26) but not the algorithm; the algorithm as above agrees in independent
public implementations (hutool CreditCodeUtil citing the standard via cods.org.cn; Rockyzsu/social_code_validation;
ranyong1997/Sakura_Mini_Admin; 02020/vite validateSocialCreditCode) [2+SRC]. The official text was not read.
Only the check character is verified: whether the region code exists, or the category code is valid for
the registering department, is not checked (no table in the reference).
"""
from __future__ import annotations

from dataclasses import dataclass

from envgov.catalogue import gettext_noop

CODE_ID = "GB 32100-2015"
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18

MSG_LENGTH = gettext_noop("统一社会信用代码应为 18 位，收到 %(n)s 位：“%(code)s”")
MSG_CHAR = gettext_noop("统一社会信用代码第 %(pos)s 位“%(char)s”不是允许的字符（数字和大写字母，不用 I、O、Z、S、V）")
MSG_REGION = gettext_noop("统一社会信用代码第 3～8 位（登记管理机关行政区划码）应为数字，收到“%(part)s”")
MSG_CHECK = gettext_noop("统一社会信用代码校验码错误：第 18 位为“%(given)s”，按 GB 32100-2015 应为“%(expected)s”")
MSG_BODY = gettext_noop("计算校验码需要前 17 位，收到 %(n)s 位")


@dataclass(frozen=True)
class CodeProblem:
    template: str
    values: dict[str, object]

    def __str__(self) -> str:
        return self.template % self.values


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (ValueError, Chinese, when they are not 17 allowed characters)."""
    if len(first17) != 17:
        raise ValueError(MSG_BODY % {"n": len(first17)})
    for i, c in enumerate(first17, start=1):
        if c not in VALUE:
            raise ValueError(MSG_CHAR % {"pos": i, "char": c})
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str) -> CodeProblem | None:
    """None when `code` is a well-formed code with the right check character; else the first problem.
    The code is taken as written (no upper-casing, no trimming: the caller shows what the user entered)."""
    if len(code) != LENGTH:
        return CodeProblem(MSG_LENGTH, {"n": len(code), "code": code})
    for i, c in enumerate(code, start=1):
        if c not in VALUE:
            return CodeProblem(MSG_CHAR, {"pos": i, "char": c})
    if not code[2:8].isdigit():
        return CodeProblem(MSG_REGION, {"part": code[2:8]})
    expected = check_character(code[:17])
    if code[17] != expected:
        return CodeProblem(MSG_CHECK, {"given": code[17], "expected": expected})
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def validate(code: str) -> str:
    """`code` unchanged when valid; ValueError with the Chinese reason otherwise."""
    p = problem(code)
    if p is not None:
        raise ValueError(str(p))
    return code
