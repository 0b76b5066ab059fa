"""Land-use codes (loại đất) and their standard names, so a code matches a name written out.

Cadastral layers write land use as a code (``DGT``) or as its name (``Đất giao thông``). The
codes and names are those of the cadastral mapping rules: Thông tư 25/2014/TT-BTNMT (Phụ lục
01) and, from 1 August 2024, Thông tư 08/2024/TT-BTNMT; names that changed between them are
both kept. Only codes a right of way commonly crosses are listed; any other code still
matches itself.
"""

from __future__ import annotations

import functools
import math
import re

from gpmb_gis._text import fold

__all__ = ["NAMES", "land_use_code", "land_use_name"]


#: Code → standard names (the first is the one shown).
NAMES: dict[str, tuple[str, ...]] = {
    "LUC": ("Đất chuyên trồng lúa", "Đất chuyên trồng lúa nước"),
    "LUK": ("Đất trồng lúa còn lại", "Đất trồng lúa nước còn lại"),
    "LUN": ("Đất lúa nương",),
    "BHK": ("Đất bằng trồng cây hàng năm khác",),
    "NHK": ("Đất nương rẫy trồng cây hàng năm khác",),
    "CLN": ("Đất trồng cây lâu năm",),
    "RSX": ("Đất rừng sản xuất",),
    "RPH": ("Đất rừng phòng hộ",),
    "RDD": ("Đất rừng đặc dụng",),
    "NTS": ("Đất nuôi trồng thủy sản", "Đất nuôi trồng thuỷ sản"),
    "NKH": ("Đất nông nghiệp khác",),
    "ONT": ("Đất ở tại nông thôn", "Đất ở nông thôn"),
    "ODT": ("Đất ở tại đô thị", "Đất ở đô thị"),
    "TSC": ("Đất xây dựng trụ sở cơ quan", "Đất trụ sở cơ quan"),
    "CQP": ("Đất quốc phòng",),
    "CAN": ("Đất an ninh",),
    "DGT": ("Đất giao thông", "Đất công trình giao thông"),
    "DTL": ("Đất thủy lợi", "Đất thuỷ lợi", "Đất công trình thủy lợi"),
    "DNL": ("Đất công trình năng lượng", "Đất công trình năng lượng, chiếu sáng công cộng"),
    "DBV": ("Đất công trình bưu chính, viễn thông", "Đất công trình bưu chính viễn thông"),
    "DCH": ("Đất chợ",),
    "DSH": ("Đất sinh hoạt cộng đồng", "Đất công trình sinh hoạt cộng đồng"),
    "DKV": ("Đất khu vui chơi, giải trí công cộng",),
    "DGD": ("Đất xây dựng cơ sở giáo dục và đào tạo",),
    "DYT": ("Đất xây dựng cơ sở y tế",),
    "DVH": ("Đất xây dựng cơ sở văn hóa", "Đất xây dựng cơ sở văn hoá"),
    "DTT": ("Đất xây dựng cơ sở thể dục thể thao",),
    "TON": ("Đất cơ sở tôn giáo", "Đất tôn giáo"),
    "TIN": ("Đất cơ sở tín ngưỡng", "Đất tín ngưỡng"),
    "NTD": (
        "Đất nghĩa trang, nhà tang lễ, cơ sở hỏa táng",
        "Đất làm nghĩa trang, nghĩa địa, nhà tang lễ, nhà hỏa táng",
        "Đất nghĩa trang, nghĩa địa",
    ),
    "SON": ("Đất sông, ngòi, kênh, rạch, suối",),
    "MNC": ("Đất có mặt nước chuyên dùng",),
    "SKC": ("Đất cơ sở sản xuất phi nông nghiệp",),
    "SKK": ("Đất khu công nghiệp",),
    "SKN": ("Đất cụm công nghiệp",),
    "TMD": ("Đất thương mại, dịch vụ",),
    "BCS": ("Đất bằng chưa sử dụng",),
    "DCS": ("Đất đồi núi chưa sử dụng",),
    "NCS": ("Núi đá không có rừng cây",),
}


def _name_key(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()


@functools.cache
def _by_name() -> dict[str, str]:
    return {_name_key(name): code for code, names in NAMES.items() for name in names}


def land_use_code(value: object) -> str:
    """The code of a land use written as a code or as its standard name ("" for none).

    Examples
    --------
    >>> land_use_code("dgt"), land_use_code("Đất giao thông"), land_use_code("ĐẤT GIAO THÔNG")
    ('DGT', 'DGT', 'DGT')
    >>> land_use_code("ONT+CLN"), land_use_code(None)
    ('ONT+CLN', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return _by_name().get(_name_key(text), text.upper())


def land_use_name(code: str) -> str:
    """The standard name of a code, or "" when the table does not hold it."""
    names = NAMES.get(code.upper())
    return names[0] if names else ""
