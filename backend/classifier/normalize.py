"""Text normalisation before keyword matching.

The classifier matches on a normalised copy of the message; the original text is kept on the
result untouched. Steps, in order, all linear in the length of the text:

1. Unicode NFKC: full-width letters, digits and punctuation become half-width (`，` → `,`);
2. control and zero-width characters dropped, tabs and line breaks turned into spaces, and
   traditional → simplified characters, one character at a time, with OpenCC's
   `TSCharacters` table (shipped by the `opencc-python-reimplemented` dependency);
4. lower case (so `ICU` and `icu` match the same word);
5. emoji and pictographs dropped;
6. filler words (`那个`, `就是说`, `嗯` …, listed in the keyword file) dropped.

Pinyin-input slips (`洗早` for `洗澡`) are not rewritten here: the keyword file lists them under
`typos` and the classifier puts each slip into the jieba dictionary as an alias of the right
word, so a slip costs nothing extra and the clerk sees which word was meant.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

_CONTROL_CODES = [
    *range(0x00, 0x09),
    0x0B,
    0x0C,
    *range(0x0E, 0x20),
    *range(0x7F, 0xA0),
    *range(0x200B, 0x2010),
    *range(0x2028, 0x202F),
    *range(0x2060, 0x2070),
    0xFEFF,
]
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U0001f1e6-\U0001f1ff\u2190-\u21ff\u2300-\u23ff"
    "\u2460-\u24ff\u25a0-\u27bf\u2b00-\u2bff\ufe00-\ufe0f\u20e3\u3030\u303d\u3297\u3299]+"
)


@functools.lru_cache(maxsize=1)
def traditional_to_simplified_table() -> dict[int, str]:
    """OpenCC's character table as a `str.translate` map; empty (with a warning) when absent."""
    spec = importlib.util.find_spec("opencc")
    if spec is None or spec.origin is None:
        log.warning("opencc data not installed: traditional characters will not be converted")
        return {}
    path = Path(spec.origin).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            source, _, targets = line.rstrip("\n").partition("\t")
            if len(source) == 1 and targets:
                table[ord(source)] = targets.split(" ", 1)[0]
    return table


class Normalizer:
    """Normalises messages; built once per keyword lexicon (the filler list comes from it)."""

    def __init__(self, fillers: Iterable[str] = ()) -> None:
        words = sorted({w for w in fillers if w}, key=len, reverse=True)
        self._fillers = re.compile("|".join(map(re.escape, words))) if words else None
        # One table drops control characters, turns line breaks into spaces, and converts
        # traditional characters, so that step costs a single pass in C.
        table: dict[int, str | None] = dict.fromkeys(_CONTROL_CODES)
        table.update({ord(ch): " " for ch in "\t\r\n"})
        table.update(traditional_to_simplified_table())
        self._table = table

    def __call__(self, text: str) -> str:
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        text = text.translate(self._table).lower()
        text = _EMOJI.sub(" ", text)
        if self._fillers is not None:
            text = self._fillers.sub("", text)
        return text


def normalize(text: str, fillers: Iterable[str] = ()) -> str:
    """Normalise one text with the given fillers (convenience for tests and the CLI)."""
    return Normalizer(fillers)(text)
