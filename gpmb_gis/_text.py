"""Vietnamese text: normalisation, accent folding, parcel keys and legacy encodings.

TCVN3 (ABC) and VNI-Windows were the common 8-bit encodings of Vietnamese before Unicode;
cadastral shapefiles and old Excel books still carry them. A reader that does not know gets
bytes decoded as Latin-1 or Windows-1252 ("Hîp Thµnh" for "Hợp Thành"); :func:`decode_legacy`
turns such text back into Unicode NFC.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import pandas as pd

# --- normalisation -------------------------------------------------------------------------


__all__ = [
    "BYTE_DECODINGS",
    "LEGACY_ENCODINGS",
    "TCVN3_TABLE",
    "VNI_MODIFIERS",
    "VNI_SINGLE",
    "best_decoding",
    "commune_key",
    "commune_parts",
    "decode_legacy",
    "decode_tcvn3",
    "decode_vni",
    "first_non_ascii",
    "fold",
    "from_cp1258",
    "guess_column_encoding",
    "in_nfc",
    "is_text_column",
    "is_vietnamese_text",
    "joined_text",
    "looks_legacy",
    "nfc",
    "number_key",
    "parcel_label",
    "short_commune",
    "xml_text",
]


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC."""
    return unicodedata.normalize("NFC", text)


def fold(text: object) -> str:
    """Fold text for matching: NFC, no accents, ``đ`` → ``d``, lower case, single spaces.

    Examples
    --------
    >>> fold("  Thị  trấn ĐỒNG Đăng ")
    'thi tran dong dang'
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _fold_text(str(text))


@functools.lru_cache(maxsize=1 << 16)
def _fold_text(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    bare = bare.replace("đ", "d").replace("Đ", "D")
    return " ".join(bare.lower().split())


_COMMUNE_PREFIX = re.compile(r"^(?:thi tran|phuong|xa|tt\.?|p\.|x\.)\s*", re.IGNORECASE)


def commune_key(name: object) -> str:
    """Return the matching key of a commune name: folded, without xã / phường / thị trấn.

    Examples
    --------
    >>> commune_key("Xã Hợp Thành") == commune_key("HOP THANH") == commune_key("hợp  thành")
    True
    >>> commune_key("TT. Đồng Đăng")
    'dong dang'
    """
    folded = fold(name)
    folded = _COMMUNE_PREFIX.sub("", folded).strip(" .-")
    return folded.replace("-", " ")


#: Characters XML 1.0 (and so .xlsx and .docx) cannot hold: C0 controls but tab and newlines.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    r"""Text as an .xlsx or .docx can hold it: each control character becomes U+FFFD.

    Examples
    --------
    >>> xml_text("Road\x0cone"), xml_text(12)
    ('Road�one', '12')
    """
    return _NOT_IN_XML.sub("\ufffd", str(value))


_PREFIXES = {"thi tran": "thi tran", "tt.": "thi tran", "tt": "thi tran", "phuong": "phuong",
             "p.": "phuong", "xa": "xa", "x.": "xa"}  # fmt: skip


def short_commune(name: object) -> str:
    """A commune's name as a bracket or a map label gives it: "Xã" left out, "TT", "P.".

    Examples
    --------
    >>> [short_commune(n) for n in ("Xã Hợp Thành", "Thị trấn Cao Lộc", "Phường Kỳ Lừa")]
    ['Hợp Thành', 'TT Cao Lộc', 'P. Kỳ Lừa']
    """
    text = " ".join(str(name).split()) if name is not None else ""
    for long, short in (("Xã ", ""), ("Thị trấn ", "TT "), ("Phường ", "P. ")):
        if text.startswith(long) and len(text) > len(long):
            return short + text[len(long) :]
    return text


def commune_parts(name: object) -> tuple[str, str, str]:
    """A commune name's key, its kind (xa, phuong, thi tran or "") and the marks of its words.

    The marks are those each word carries, wherever the tone was typed ("Hoà" and "Hòa"
    carry the same); text without marks has none ("").

    Examples
    --------
    >>> commune_parts("Xã Hoà An") == commune_parts("xã HÒA AN")
    True
    >>> commune_parts("TT. Hòa An")[:2], commune_parts("Hòa An")[1], commune_parts("Hoa An")[2]
    (('hoa an', 'thi tran'), '', '')
    """
    key = commune_key(name)
    folded = fold(name)
    kind = next(
        (
            _PREFIXES[p]
            for p in sorted(_PREFIXES, key=len, reverse=True)
            if folded.startswith(p) and folded != p
        ),
        "",
    )
    if not key:
        return "", kind, ""
    words = unicodedata.normalize("NFD", str(name).lower()).split()[-len(key.split()) :]
    marks = [
        "".join(sorted(c for c in w if unicodedata.category(c) == "Mn" or c == "đ")) for w in words
    ]
    return key, kind, "|".join(marks) if any(marks) else ""


def number_key(value: object) -> str:
    """Return a sheet or parcel number as matching text: no leading zeros, no trailing ``.0``.

    Examples
    --------
    >>> number_key("007"), number_key(12.0), number_key(" 45.0 "), number_key("12a")
    ('7', '12', '45', '12a')
    >>> number_key("Thửa 12"), number_key("tờ số 05")
    ('12', '5')
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    text = fold(value)
    text = re.sub(r"^(?:thua(?: dat)?|to(?: ban do)?|so)(?: so)?\s*[:.]?\s*(?=\d)", "", text)
    text = text.replace(" ", "")
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    stripped = text.lstrip("0")
    if text and not stripped:
        return "0"
    return stripped


# --- legacy encodings ----------------------------------------------------------------------

# TCVN 5712 (VN1), bytes 0xA0..0xFF in order. TCVN3/ABC uses the lower-case codes and the
# seven capitals at 0xA1..0xA7; the other capitals (0x80..0x9F, 0x01..0x17) are VN1 only.
_TCVN3_A0_FF = (
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"
    "éẹềểễếệìỉỄẾỒĩíịò"
    "Ổỏõóọồổỗốộờởỡớợù"
    "ỖủũúụừửữứựỳỷỹýỵỐ"
)
_TCVN3_80_9F = "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"
_TCVN3_LOW = {0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ", 0x12: "Ự",
              0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ"}  # fmt: skip


def _tcvn3_table() -> dict[int, str]:
    table = {0xA0 + i: ch for i, ch in enumerate(_TCVN3_A0_FF)}
    table.update({0x80 + i: ch for i, ch in enumerate(_TCVN3_80_9F)})
    table.update(_TCVN3_LOW)
    return table


TCVN3_TABLE: dict[int, str] = _tcvn3_table()

# VNI-Windows: a base letter followed by a modifier byte; some letters are one byte.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_VNI_MODIFIERS_LOWER = {
    0xF9: _ACUTE, 0xF8: _GRAVE, 0xFB: _HOOK, 0xF5: _TILDE, 0xEF: _DOT,
    0xE2: _CIRC, 0xE1: _CIRC + _ACUTE, 0xE0: _CIRC + _GRAVE, 0xE5: _CIRC + _HOOK,
    0xE3: _CIRC + _TILDE, 0xE4: _CIRC + _DOT,
    0xEA: _BREVE, 0xE9: _BREVE + _ACUTE, 0xE8: _BREVE + _GRAVE, 0xFA: _BREVE + _HOOK,
    0xFC: _BREVE + _TILDE, 0xEB: _BREVE + _DOT,
}  # fmt: skip
# upper-case modifiers are the lower-case ones minus 0x20
VNI_MODIFIERS: dict[int, str] = {
    **_VNI_MODIFIERS_LOWER,
    **{code - 0x20: mark for code, mark in _VNI_MODIFIERS_LOWER.items()},
}
VNI_SINGLE: dict[int, str] = {
    0xD1: "Đ", 0xF1: "đ", 0xCD: "Í", 0xED: "í", 0xCC: "Ì", 0xEC: "ì", 0xC6: "Ỉ", 0xE6: "ỉ",
    0xD3: "Ĩ", 0xF3: "ĩ", 0xD2: "Ị", 0xF2: "ị", 0xD4: "Ơ", 0xF4: "ơ", 0xD6: "Ư", 0xF6: "ư",
    0xCE: "Ỵ", 0xEE: "ỵ",
}  # fmt: skip
_VNI_BASES = set("aeouyAEOUYơưƠƯ")


def _as_bytes(text: str) -> bytes:
    """Recover the bytes behind text decoded as Latin-1 or Windows-1252."""
    out = bytearray()
    for ch in text:
        code = ord(ch)
        if code < 0x100:
            out.append(code)
        else:
            try:
                out += ch.encode("cp1252")
            except UnicodeEncodeError:
                out += ch.encode("utf-8")
    return bytes(out)


def decode_tcvn3(raw: bytes) -> str:
    """Decode TCVN3 (ABC) bytes to Unicode NFC.

    Examples
    --------
    >>> decode_tcvn3("Hîp Thµnh".encode("latin-1"))
    'Hợp Thành'
    """
    return nfc("".join(TCVN3_TABLE.get(b, chr(b)) for b in raw))


def decode_vni(raw: bytes) -> str:
    """Decode VNI-Windows bytes to Unicode NFC.

    Examples
    --------
    >>> decode_vni("Hôïp Thaønh".encode("cp1252"))
    'Hợp Thành'
    """
    out: list[str] = []
    for b in raw:
        if b in VNI_SINGLE:
            out.append(VNI_SINGLE[b])
        elif b in VNI_MODIFIERS and out and out[-1][-1:] in _VNI_BASES:
            out[-1] = out[-1] + VNI_MODIFIERS[b]
        else:
            out.append(bytes([b]).decode("cp1252", errors="replace") if b >= 0x80 else chr(b))
    return nfc("".join(out))


LEGACY_ENCODINGS = {"tcvn3": decode_tcvn3, "abc": decode_tcvn3, "vni": decode_vni}


def decode_legacy(text: object, encoding: str) -> object:
    """Convert text read as Latin-1/Windows-1252 from a legacy encoding to Unicode NFC.

    Non-text values are returned unchanged; ``encoding`` is ``"tcvn3"`` (or ``"abc"``) or
    ``"vni"``.
    """
    if not isinstance(text, str):
        return text
    return LEGACY_ENCODINGS[encoding](_as_bytes(text))


_TONES = {_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT}
_VN_MARKS = _TONES | {_CIRC, _BREVE, "\u031b"}  # U+031B: the horn of ơ and ư


def _is_vietnamese_word(word: str) -> bool:
    """Return True when a word uses only Vietnamese letters and at most one tone mark."""
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    tones = 0
    for ch in decomposed:
        if ch in _TONES:
            tones += 1
        elif ch in _VN_MARKS or ch.isascii():
            continue
        else:
            return False
    return tones <= 1


def _plausibility(text: str) -> int:
    words = text.split()
    return sum(1 if _is_vietnamese_word(w) else -1 for w in words)


def is_vietnamese_text(text: str) -> bool:
    """Whether every word of a text is written with Vietnamese letters, one tone at most.

    Examples
    --------
    >>> is_vietnamese_text("Xã Hợp Thành"), is_vietnamese_text("Hîp Thµnh")
    (True, False)
    """
    return all(_is_vietnamese_word(w) for w in text.split())


def unvietnamese_words(texts: Iterable[str]) -> set[str]:
    """The words of ``texts`` not written with Vietnamese letters and one tone at most.

    Each distinct word is judged once: a text none of whose words is among them is
    Vietnamese as read, and :func:`looks_legacy` says None of it.

    Examples
    --------
    >>> sorted(unvietnamese_words(["Hợp Thành", "Hîp Thµnh", "Km 12"]))
    ['Thµnh']
    """
    words = {w for t in texts for w in t.split()}
    return {w for w in words if not w.isascii() and not _is_vietnamese_word(w)}


def looks_legacy(text: object) -> str | None:
    """Guess whether text is really TCVN3 or VNI bytes read as Latin-1 or Windows-1252.

    Returns ``"tcvn3"``, ``"vni"`` or ``None``. A guess is made only when the text as read
    is not Vietnamese (a letter outside the alphabet, or two tone marks in one word) and one
    decoding reads as Vietnamese better than the other.

    Examples
    --------
    >>> looks_legacy("Hîp Thµnh"), looks_legacy("Hôïp Thaønh"), looks_legacy("Hợp Thành")
    ('tcvn3', 'vni', None)
    """
    if not isinstance(text, str) or text.isascii():
        return None
    if all(_is_vietnamese_word(w) for w in text.split()):
        return None
    raw = _as_bytes(text)
    scores = {name: _plausibility(LEGACY_ENCODINGS[name](raw)) for name in ("vni", "tcvn3")}
    best = max(scores, key=lambda name: scores[name])
    if scores[best] <= _plausibility(text) or scores["vni"] == scores["tcvn3"]:
        return None
    return best


def _decode_cp1258(raw: bytes) -> str:
    return nfc(raw.decode("cp1258", errors="replace"))


BYTE_DECODINGS = {"cp1258": _decode_cp1258, "vni": decode_vni, "tcvn3": decode_tcvn3}


def best_decoding(texts: list[str]) -> str:
    """Which of Windows-1258, VNI and TCVN3 reads text read byte for byte as Vietnamese best.

    Parameters
    ----------
    texts
        Cells decoded as Latin-1 (one character per byte).

    Examples
    --------
    >>> best_decoding(["Hîp Thµnh", "§ång §¨ng"]), best_decoding(["Hôïp Thaønh"])
    ('tcvn3', 'vni')
    """
    raws = [_as_bytes(t) for t in texts if isinstance(t, str) and not t.isascii()]
    scores = {
        name: sum(_plausibility(decode(raw)) - 2 * decode(raw).count("\ufffd") for raw in raws)
        for name, decode in BYTE_DECODINGS.items()
    }
    return max(scores, key=lambda name: scores[name])


def parcel_label(
    sheet: object,
    parcel: object,
    *,
    commune: object = "",
    words: tuple[str, str] = ("sheet", "parcel"),
) -> str:
    """How a reader names a parcel: its commune when given, its sheet and its number.

    Examples
    --------
    >>> parcel_label("12", "45")
    'sheet 12 / parcel 45'
    >>> parcel_label("1", "5", commune="Xã Hợp Thành", words=("tờ", "thửa"))
    'Xã Hợp Thành / tờ 1 / thửa 5'
    """
    sheet_word, parcel_word = words
    return (f"{commune} / " if commune else "") + f"{sheet_word} {sheet} / {parcel_word} {parcel}"


# --- a column's text ------------------------------------------------------------


def joined_text(cells: list[Any]) -> str:
    """The text among ``cells`` in one string, NUL between cells (numbers and blanks aside).

    One string answers for all the cells at once: ASCII, or in NFC (:func:`in_nfc`).
    """
    try:
        return "\x00".join(cells)
    except TypeError:  # numbers or blanks among the text
        return "\x00".join(v for v in cells if isinstance(v, str))


def in_nfc(joined: str) -> bool:
    """Whether every cell of a :func:`joined_text` text is in NFC (NUL composes with nothing)."""
    return unicodedata.is_normalized("NFC", joined)


def from_cp1258(value: object) -> object:
    if not isinstance(value, str):
        return value
    return nfc(value.encode("latin1", errors="replace").decode("cp1258", errors="replace"))


def is_text_column(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def first_non_ascii(values: pd.Series) -> str:
    for v in values:
        if isinstance(v, str) and not v.isascii():
            return v[:40]
    return ""


def guess_column_encoding(values: pd.Series) -> str | None:
    """The legacy encoding most text reads as, or None when Unicode Vietnamese is the most.

    A cell that is Vietnamese as read ("Hợp Thành") votes against: one odd character (an en
    dash, "±", "…") never decides for a whole book.
    """
    legacy: dict[str, int] = {}
    texts = [v for v in pd.unique(values.dropna().to_numpy(dtype=object)) if isinstance(v, str)]
    texts = texts[:500]
    for text in texts:
        guess = looks_legacy(text)
        if guess:
            legacy[guess] = legacy.get(guess, 0) + 1
    if not legacy:
        return None
    best = max(legacy, key=lambda k: legacy[k])
    unicode = sum(not t.isascii() and is_vietnamese_text(t) for t in texts)
    return best if legacy[best] > unicode else None


#: Words before a person's name ("ông Dũng", "hộ bà Lan").
_HONORIFICS = frozenset({"ông", "bà", "anh", "chị", "cụ", "em", "cô", "chú", "bác", "hộ"})


def without_names(text: str) -> str:
    """Text quoted in the QA table, with what reads as a person's name left out ("…").

    A name is two or more capitalised words in a row ("Nguyễn Văn An", "HOÀNG VĂN AN",
    "Giàng A Páo", "Nguyễn-Văn-An"), or a capitalised word after "ông", "bà", "hộ"…; a
    book's note in a date or money cell may hold one. Words in capitals that are not a name
    ("ĐÃ BG") go too; a name written in small letters is not seen.

    Examples
    --------
    >>> without_names("ông Nguyễn Văn An nhận thay"), without_names("bà LÒ THỊ BÌNH")
    ('ông … nhận thay', 'bà …')
    >>> without_names("Đã nhận 12/3"), without_names("Hộ ông Dũng,Lò Thị Kiwi")
    ('Đã nhận 12/3', 'Hộ ông …,…')
    """
    parts = re.split(r"(\s+|[-,;/()])", text)
    words, marks = parts[0::2], parts[1::2]
    capital = [bool(w) and w[0].isupper() and (len(w) == 1 or w[1:].islower() or w.isupper())
               for w in words]  # fmt: skip
    joined = [bool(m.strip() in ("", "-")) for m in marks]  # a name runs over spaces and hyphens
    name = [False] * len(words)
    k = 0
    while k < len(words):
        run = k
        while run + 1 < len(words) and capital[run] and capital[run + 1] and joined[run]:
            run += 1
        after_honorific = capital[k] and k > 0 and words[k - 1].lower() in _HONORIFICS
        if run > k or after_honorific:
            name[k : run + 1] = [True] * (run - k + 1)
        k = run + 1
    out = []
    for k, word in enumerate(words):
        if not (name[k] and k > 0 and name[k - 1] and joined[k - 1]):  # a run: one "…"
            out.append("…" if name[k] else word)
        if k < len(marks) and not (name[k] and k + 1 < len(words) and name[k + 1] and joined[k]):
            out.append(marks[k])
    return "".join(out)
