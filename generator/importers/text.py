"""Text clean-up shared by the parsers: NFC, spaces, "no information", slugs."""

from __future__ import annotations

import re
import unicodedata

NO_INFO = "Không có thông tin"

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff\u200e\u200f]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean(text: str | None) -> str:
    """NFC, one space for any run of spaces (non-breaking ones too), trimmed lines."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(text: str | None) -> str:
    """`clean`, then line breaks become spaces (names, titles, cells)."""
    return " ".join(clean(text).split())


def value(text: str | None) -> str | None:
    """A header value, or None when the portal says it has none."""
    cleaned = clean(text)
    return None if cleaned in ("", NO_INFO) else cleaned


def fold(text: str) -> str:
    """Lowercase ASCII: Vietnamese diacritics removed, đ → d."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def slugify(text: str, max_length: int = 60) -> str:
    """Words of the folded text joined by '-', cut at a word boundary."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or (words[0][:max_length] if words else "")


def lines(text: str | None) -> list[str]:
    """Non-empty lines of a free-text section; [] when the portal has none."""
    cleaned = value(text)
    return [line for line in cleaned.split("\n") if line] if cleaned else []


_LETTERS = [chr(i) for i in range(0xC0, 0x1EFA)]
# Regex character classes by case: a plain range such as à-ỹ also holds
# capitals (Đ, Ơ, Ư, Ạ…), because Vietnamese letters alternate case in Unicode.
UPPER = "A-Z" + "".join(ch for ch in _LETTERS if ch.isupper())
LOWER = "a-z" + "".join(ch for ch in _LETTERS if ch.islower())
