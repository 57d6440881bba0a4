"""Mainland resident ID numbers (GB 11643) and mobile phone numbers: validation and masking.

Messages are for a township clerk or a resident: plain Chinese that says what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from backend.core.errors import InvalidInput

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-－—_]+")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")


@dataclass(frozen=True, slots=True)
class IdNumber:
    value: str
    birth_date: date
    gender: str  # "男" / "女"

    @property
    def masked(self) -> str:
        return mask_id_number(self.value)


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _to_halfwidth(text: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Validate an 18-digit ID (or convert a 15-digit one); raise InvalidInput saying why."""
    text = _SEPARATORS.sub("", _to_halfwidth(str(raw))).upper()
    if not text:
        raise InvalidInput("身份证号为空", code="id_empty")
    if _SCIENTIFIC.match(text):
        raise InvalidInput(
            "身份证号被 Excel 变成了数字(科学计数法,后几位已丢失),请把该列设为文本后重新填写",
            code="id_scientific",
        )
    if len(text) == 15 and text.isdigit():
        first17 = text[:6] + "19" + text[6:]
        text = first17 + check_digit(first17)
    if len(text) != 18:
        raise InvalidInput(f"身份证号应为18位,现在是{len(text)}位", code="id_length")
    if not (text[:17].isdigit() and (text[17].isdigit() or text[17] == "X")):
        raise InvalidInput("身份证号只能是数字,最后一位可以是X", code="id_chars")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidInput("身份证号中的出生日期不存在", code="id_birth_date") from None
    if born.year < 1890 or (today is not None and born > today):
        raise InvalidInput("身份证号中的出生日期不合理", code="id_birth_date")
    if check_digit(text[:17]) != text[17]:
        raise InvalidInput("身份证号校验位不对,请核对每一位数字", code="id_checksum")
    return IdNumber(value=text, birth_date=born, gender="男" if int(text[16]) % 2 else "女")


def mask_id_number(value: str) -> str:
    """`5323**********1234`: enough to recognise, not enough to misuse."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def normalise_phone(raw: str) -> str:
    """An 11-digit mainland mobile number; +86 / 0086 prefixes and separators are accepted."""
    text = _SEPARATORS.sub("", _to_halfwidth(str(raw))).removeprefix("+")
    for prefix in ("0086", "86"):
        if len(text) == 11 + len(prefix) and text.startswith(prefix):
            text = text[len(prefix) :]
    if not text.isdigit():
        raise InvalidInput("手机号只能是数字", code="phone_chars")
    if len(text) != 11:
        raise InvalidInput(f"手机号应为11位,现在是{len(text)}位", code="phone_length")
    if not _MOBILE.match(text):
        raise InvalidInput("这不像手机号,请核对(应以13-19开头)", code="phone_format")
    return text


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)
