"""Vietnam's communes of two eras, and the crosswalk from the old to the new, as data.

On 1 July 2025 districts were abolished and communes merged (for Lạng Sơn: Nghị quyết
1672/NQ-UBTVQH15 of 16/6/2025). Cadastral files keep the communes and codes of 2024, books and
reports name those of 2025, and the same five-digit code can name different communes in the two
eras (06211 is Xã Lộc Yên in 2024 and Xã Cao Lộc in 2025), so a code is always read in an era.

The units come from the data files of the ``vietnamadminunits`` package (MIT): its database of
pre-2025 units with their districts and codes, its 2025 units with codes, and its old → new
mapping, where an old commune divided between two new units is flagged. Only those files are
read, never its address converter (which geocodes online). How the Cao Lộc rows were checked,
and where the data disagree with other sources: ``docs/communes.md``.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import sqlite3
from pathlib import Path

import pandas as pd

from gpmb_gis._errors import GpmbError, InputError
from gpmb_gis._text import fold

__all__ = ["ERAS", "UNIT_COLUMNS", "crosswalk", "read_crosswalk", "units"]

#: The eras a commune code or name belongs to: before and after 1 July 2025.
ERAS = (2024, 2025)
#: The columns of :func:`units`.
UNIT_COLUMNS = ["era", "province", "district", "commune", "kind", "code", "key"]
#: The columns of :func:`crosswalk`.
CROSSWALK_COLUMNS = ["province", "district_2024", "commune_2024_code", "commune_2024",
                     "commune_2025_code", "commune_2025", "divided"]  # fmt: skip


#: Provinces the data lists under a later name: Thừa Thiên Huế became Thành phố Huế in 2025.
_PROVINCE_ALIASES = {"thuathienhue": "hue"}


def _data_folder() -> Path:
    """Where the ``vietnamadminunits`` wheel keeps its data (the package is not imported)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise GpmbError("vietnamadminunits", "the package holding Vietnam's communes is missing",
                        'install it: pip install "vietnamadminunits>=1.0.4"')  # fmt: skip
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@functools.cache
def _tables() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The 2024 units, the 2025 units and the converter's mapping, read once."""
    folder = _data_folder()
    with sqlite3.connect(f"file:{folder / 'dataset.db'}?mode=ro", uri=True) as con:
        old = pd.read_sql(
            "SELECT province, district, ward, wardType, wardCode, provinceKey, districtKey, "
            "wardKey FROM admin_units_legacy", con)  # fmt: skip
        new = pd.read_sql(
            "SELECT province, ward, wardType, wardCode, provinceKey, wardKey FROM admin_units", con
        )
    mapping = json.loads((folder / "converter_2025.json").read_text(encoding="utf-8"))
    return old, new, mapping


def _province_key(province: str) -> str:
    """A province as the data keys it, without ``Tỉnh``/``Thành phố``/``TP``: ``langson``."""
    key = re.sub(r"[^a-z0-9]", "", fold(province))
    for prefix in ("tinh", "thanhpho", "tp"):
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            key = key.removeprefix(prefix)
            break
    return _PROVINCE_ALIASES.get(key, key)


def _in_province(table: pd.DataFrame, province: str | None) -> pd.DataFrame:
    if province is None:
        return table
    key = _province_key(province)
    mine = table[table["provinceKey"].map(_province_key) == key]
    if not len(mine):
        raise GpmbError("province", f"{province!r} is no province of Vietnam's unit lists",
                        'write it as the data does, e.g. "Lạng Sơn"')  # fmt: skip
    return mine


def units(era: int, province: str | None = None) -> pd.DataFrame:
    """Every commune-level unit of an era (``2024``: before 1 July 2025, ``2025``: after).

    Parameters
    ----------
    era
        ``2024`` (communes, wards and towns with their districts) or ``2025`` (no districts).
    province
        Only this province (``"Lạng Sơn"``); every province by default.

    Returns
    -------
    DataFrame
        :data:`UNIT_COLUMNS`: the unit's full name (``Xã Hợp Thành``), its kind, its official
        five-digit code and the data's key of it; ``district`` is blank in 2025.

    Examples
    --------
    >>> old = units(2024, "Lạng Sơn")
    >>> old.set_index("code").loc["06211", ["district", "commune"]].tolist()
    ['Huyện Cao Lộc', 'Xã Lộc Yên']
    >>> units(2025, "Lạng Sơn").set_index("code").loc["06211", "commune"]
    'Xã Cao Lộc'
    """
    if era not in ERAS:
        raise GpmbError("era", f"{era!r} is not an era of communes", "use 2024 or 2025")
    old, new, _ = _tables()
    if era == 2024:
        table = _in_province(old, province)
        out = pd.DataFrame({"province": table["province"], "district": table["district"],
                            "commune": table["ward"], "kind": table["wardType"],
                            "code": table["wardCode"],
                            "key": table["provinceKey"] + "_" + table["districtKey"] + "_"
                            + table["wardKey"]})  # fmt: skip
    else:
        table = _in_province(new, province)
        out = pd.DataFrame({"province": table["province"], "district": "",
                            "commune": table["ward"], "kind": table["wardType"],
                            "code": table["wardCode"],
                            "key": table["provinceKey"] + "_" + table["wardKey"]})  # fmt: skip
    out.insert(0, "era", era)
    return out.sort_values("code", kind="stable").reset_index(drop=True)[UNIT_COLUMNS]


def crosswalk(province: str | None = None) -> pd.DataFrame:
    """Each commune of 2024 and the unit of 2025 it became part of.

    An old commune divided between several new units has a row for each, flagged ``divided``:
    its parcels belong to the new unit whose boundary they lie in.

    Returns
    -------
    DataFrame
        :data:`CROSSWALK_COLUMNS`, codes as text (``"06226"``).

    Examples
    --------
    >>> walk = crosswalk("Lạng Sơn").set_index("commune_2024_code")
    >>> walk.loc["06226", ["commune_2024", "commune_2025_code", "commune_2025"]].tolist()
    ['Xã Hợp Thành', '06187', 'Phường Kỳ Lừa']
    """
    old = units(2024, province)
    new = units(2025).set_index("key")  # a province merged into another keeps no units of its own
    _, _, mapping = _tables()
    rows = []
    for divided, table in ((False, mapping["DICT_PROVINCE_WARD_NO_DIVIDED"]),
                           (True, mapping["DICT_PROVINCE_WARD_DIVIDED"])):  # fmt: skip
        for province_key, wards in table.items():
            for first, second in wards.items():
                if divided:  # old key → its new units
                    pairs = [(first, f"{province_key}_{w['newWardKey']}") for w in second]
                else:  # new unit → its old keys
                    pairs = [(o, f"{province_key}_{first}") for o in second]
                rows += [(o, n, divided) for o, n in pairs]
    links = pd.DataFrame(rows, columns=["key", "new_key", "divided"])
    joined = old.merge(links, on="key", how="inner")
    joined = joined[joined["new_key"].isin(new.index)]
    return (
        pd.DataFrame(
            {
                "province": joined["province"].to_numpy(),
                "district_2024": joined["district"].to_numpy(),
                "commune_2024_code": joined["code"].to_numpy(),
                "commune_2024": joined["commune"].to_numpy(),
                "commune_2025_code": new.loc[joined["new_key"], "code"].to_numpy(),
                "commune_2025": new.loc[joined["new_key"], "commune"].to_numpy(),
                "divided": joined["divided"].to_numpy(dtype=bool),
            }
        )
        .sort_values(["commune_2024_code", "commune_2025_code"])
        .reset_index(drop=True)
    )


#: Headings a user's crosswalk may give each column (matched folded, without punctuation).
_CROSSWALK_HEADINGS = {
    "commune_2024_code": ("commune_2024_code", "ma xa cu", "ma xa 2024", "old_code"),
    "commune_2024": ("commune_2024", "xa cu", "ten xa cu", "xa 2024", "old_commune"),
    "commune_2025_code": ("commune_2025_code", "ma xa moi", "ma xa 2025", "new_code"),
    "commune_2025": ("commune_2025", "xa moi", "ten xa moi", "xa 2025", "new_commune"),
}


def _heading_key(text: object) -> str:
    """A heading as matched: folded, words of letters and digits, single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]", " ", fold(text)).split())


def read_crosswalk(path: Path) -> pd.DataFrame:
    """A user's own crosswalk (CSV, UTF-8): old commune (code and/or name) → new unit.

    Its rows override the official ones (``[communes] crosswalk`` in the config).

    Returns
    -------
    DataFrame
        ``commune_2024_code, commune_2024, commune_2025_code, commune_2025`` as text.

    Raises
    ------
    InputError
        When the file cannot be read or lacks the new unit's name or both old columns.
    """
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(str(path), f"the crosswalk cannot be read ({exc})",
                         "save it as CSV in UTF-8") from exc  # fmt: skip
    names = {_heading_key(c): c for c in raw.columns}
    found = {}
    for column, aliases in _CROSSWALK_HEADINGS.items():
        for alias in aliases:
            key = _heading_key(alias)
            if key in names:
                found[column] = raw[names[key]].str.strip()
                break
    if "commune_2025" not in found or not ({"commune_2024_code", "commune_2024"} & set(found)):
        raise InputError(str(path), "the crosswalk needs the new commune's name and the old "
                         f"commune's code or name (headings found: {', '.join(raw.columns)})",
                         "use the headings commune_2024_code, commune_2024, commune_2025_code, "
                         "commune_2025")  # fmt: skip
    return pd.DataFrame({c: found.get(c, pd.Series("", index=raw.index))
                         for c in _CROSSWALK_HEADINGS})  # fmt: skip
