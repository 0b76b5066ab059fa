"""Column names and status words as offices write them, and how they are recognised.

Headings and field names are matched folded (no case, accents, spaces or punctuation) against
the aliases of each layer; a status cell is read as the stage it says a step reached, and
nothing is read from a cell that says a step is not done, planned or in doubt.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

import numpy as np

from gpmb_gis import columns as C
from gpmb_gis._findings import WARNING, Finding
from gpmb_gis._text import (
    fold,
)
from gpmb_gis.io.amounts import UNITS

__all__ = [
    "ALIASES",
    "KEY_AND_DATES",
    "NUMBER_HEADINGS",
    "STATUS_WORDS",
    "alias_keys",
    "closest_heading",
    "column_key",
    "field_notes",
    "match_columns",
    "nearest_column",
    "parse_flag",
    "parse_status",
    "parse_yes",
    "status_flags",
]


#: Column aliases by layer: canonical name → names real files use (matched folded, without
#: spaces or punctuation).
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "parcels": {
        C.COMMUNE: (
            "commune",
            "MAXA",
            "MaXa",
            "Ma_Xa",
            "TENXA",
            "TenXa",
            "Ten_Xa",
            "Xã",
            "Xa",
            "Tên xã",
            "Xã/Phường",
            "Xã/Phường/Thị trấn",
        ),
        C.SHEET: (
            "sheet",
            "SHBANDO",
            "SoHieuToBanDo",
            "SOTO",
            "So_to",
            "To_BD",
            "ToBD",
            "Số tờ",
            "Tờ",
            "Tờ bản đồ",
            "Số tờ bản đồ",
            "SHBD",
            "SoTo",
        ),
        C.PARCEL: (
            "parcel",
            "SOTHUA",
            "SoThuTuThua",
            "SO_THUA",
            "So_thua",
            "Số thửa",
            "Thửa",
            "Thửa số",
            "STT thửa",
            "SoThua",
        ),
        C.LAND_USE: (
            "land_use",
            "KHLOAIDAT",
            "MaLoaiDat",
            "LOAIDAT",
            "Loai_dat",
            "Loại đất",
            "Mã loại đất",
            "MDSD",
            "Mục đích sử dụng",
        ),
        C.LEGAL_AREA_M2: (
            "legal_area_m2",
            "DIENTICH",
            "DienTich",
            "Diện tích",
            "Tong_dien_",
            "DT",
            "Diện tích (m2)",
            "Diện tích pháp lý",
            "DTPL",
        ),
        C.OWNER: (
            "owner",
            "CHUSUDUNG",
            "TenChu",
            "Chủ sử dụng",
            "Chu_SD",
            "Tên chủ",
            "Tên chủ sử dụng",
            "Họ và tên",
            "Họ tên",
            "Chủ hộ",
        ),
    },
    "communes": {
        C.COMMUNE_CODE: ("commune_code", "MAXA", "MaXa", "Ma_Xa", "Mã xã", "code", "GID_3"),
        C.COMMUNE: ("commune", "TENXA", "TenXa", "Ten", "Tên", "Tên xã", "name", "NAME_3", "Xã"),
    },
    "handovers": {
        C.PROJECT: ("project", "Dự án", "Mã dự án", "Tên dự án", "Công trình"),
        C.COMMUNE: (
            "commune",
            "Xã",
            "Xã/Phường",
            "Xã/Phường/Thị trấn",
            "Xã, phường, thị trấn",
            "Địa bàn",
            "MAXA",
            "TENXA",
            "Đơn vị hành chính",
        ),
        C.SHEET: (
            "sheet",
            "Tờ bản đồ",
            "Số tờ",
            "Tờ",
            "Số tờ bản đồ",
            "Tờ BĐ",
            "Tờ bản đồ số",
            "Số hiệu tờ",
            "Số hiệu tờ bản đồ",
            "SHBANDO",
            "SOTO",
            "To_BD",
        ),
        C.PARCEL: ("parcel", "Số thửa", "Thửa", "Thửa số", "Thửa đất số", "SOTHUA", "So_thua"),
        C.INVENTORY_DATE: ("inventory_date", "Ngày kiểm đếm", "Kiểm đếm", "Ngày KĐ"),
        C.PLAN_APPROVED_DATE: (
            "plan_approved_date",
            "Ngày phê duyệt",
            "Ngày phê duyệt PA",
            "Phê duyệt",
            "Ngày phê duyệt phương án",
            "Phê duyệt phương án",
            "Ngày PD",
        ),
        C.PAID_DATE: ("paid_date", "Ngày chi trả", "Chi trả", "Ngày nhận tiền", "Nhận tiền"),
        C.HANDOVER_DATE: (
            "handover_date",
            "Ngày bàn giao",
            "Bàn giao",
            "Ngày bàn giao mặt bằng",
            "Bàn giao mặt bằng",
            "Ngày BGMB",
            "Ngày giao mặt bằng",
            "Ngày bàn giao MB",
            "Ngày BG",
            "Ngày BGMB",
        ),
        C.STATUS: ("status", "Trạng thái", "Tình trạng", "Tiến độ"),
        C.ENFORCEMENT: ("enforcement", "Cưỡng chế"),
        C.COMPLAINT: ("complaint", "Khiếu nại", "Đơn thư", "Đơn thư khiếu nại"),
        C.OWNER: (
            "owner",
            "Chủ sử dụng",
            "Họ và tên",
            "Họ tên",
            "Tên chủ sử dụng",
            "Chủ hộ",
            "Tên chủ hộ",
        ),
        C.NOTE: ("note", "Ghi chú"),
        C.LAND_USE: ("land_use", "Loại đất"),
        C.HOUSEHOLD: ("household", "Mã hộ", "Mã hộ gia đình", "Mã HGĐ", "Mã chủ hộ", "ID hộ"),
        C.HOUSEHOLD_NUMBER: ("household_number", "STT hộ", "Số TT hộ", "Hộ số", "TT hộ"),
        C.COMPENSATION_APPROVED_VND: (
            "compensation_approved_vnd", "Số tiền BT, HT được duyệt",
            "Số tiền bồi thường, hỗ trợ được duyệt", "Tổng số tiền BT, HT được duyệt",
            "Số tiền BTHT được duyệt", "Tổng tiền BT, HT", "Tổng số tiền bồi thường, hỗ trợ",
            "Số tiền được duyệt", "Số tiền phê duyệt", "Kinh phí BT, HT được duyệt",
            "Giá trị BT, HT được duyệt",
        ),
        C.COMPENSATION_PAID_VND: ("compensation_paid_vnd", "Đã chi trả", "Số tiền đã chi trả",
                                  "Số tiền đã chi", "Đã chi trả cho hộ", "Số tiền đã nhận",
                                  "Số tiền đã trả"),
        C.RESETTLEMENT: ("resettlement", "Tái định cư", "Diện TĐC", "Thuộc diện TĐC", "TĐC",
                         "Diện tái định cư", "Bố trí TĐC"),
        C.RESETTLEMENT_LOTS: ("resettlement_lots", "Số lô TĐC", "Số lô TĐC được giao",
                              "Lô TĐC", "Số lô đất TĐC", "Số lô được giao", "Số lô"),
        C.RESETTLEMENT_DATE: ("resettlement_date", "Ngày bốc thăm/giao đất TĐC",
                              "Ngày bốc thăm", "Ngày giao đất TĐC", "Ngày bốc thăm TĐC",
                              "Ngày giao lô TĐC", "Bốc thăm TĐC"),
        C.GRAVES_TO_MOVE: ("graves_to_move", "Mồ mả phải di chuyển", "Mồ mả", "Số mộ",
                           "Số mộ phải di chuyển", "Mộ phải di chuyển", "Mồ mả phải di dời"),
        C.GRAVES_MOVED: ("graves_moved", "Mồ mả đã di chuyển", "Số mộ đã di chuyển",
                         "Mộ đã di chuyển", "Mồ mả đã di dời"),
        C.INFRASTRUCTURE_TO_MOVE: ("infrastructure_to_move", "HTKT", "HTKT phải di chuyển",
                                   "Hạ tầng kỹ thuật phải di chuyển", "HTKT phải di dời",
                                   "Công trình HTKT phải di chuyển"),
        C.INFRASTRUCTURE_MOVED: ("infrastructure_moved", "HTKT đã di chuyển",
                                 "Hạ tầng kỹ thuật đã di chuyển", "HTKT đã di dời"),
        C.COMPLAINT_DATE: ("complaint_date", "Ngày nhận đơn", "Ngày nhận đơn thư",
                           "Ngày tiếp nhận đơn", "Ngày nhận đơn khiếu nại", "Nhận đơn"),
        C.COMPLAINT_RESOLVED_DATE: ("complaint_resolved_date", "Ngày giải quyết",
                                    "Ngày giải quyết đơn", "Ngày giải quyết khiếu nại",
                                    "Ngày trả lời đơn", "Giải quyết đơn"),
        C.ENFORCED_INVENTORY_DATE: ("enforced_inventory_date", "Cưỡng chế kiểm đếm",
                                    "Ngày cưỡng chế kiểm đếm", "Ngày CCKĐ", "CCKĐ"),
        C.NOTICE_DATE: ("notice_date", "Ngày thông báo thu hồi đất", "Ngày thông báo thu hồi",
                        "Ngày TBTH", "Ngày thông báo"),
        C.POSTING_DATE: ("posting_date", "Ngày niêm yết", "Ngày niêm yết phương án",
                         "Niêm yết từ ngày", "Ngày niêm yết công khai"),
        C.APPRAISAL_SUBMITTED_DATE: ("appraisal_submitted_date", "Ngày trình thẩm định",
                                     "Ngày nộp hồ sơ thẩm định"),
        C.APPRAISAL_DATE: ("appraisal_date", "Ngày thẩm định", "Ngày thẩm định phương án"),
        C.CROPS_APPRAISAL_DATE: ("crops_appraisal_date", "Ngày thẩm định cây cối, hoa màu",
                                 "Ngày thẩm định cây cối", "Ngày thẩm định cây trồng",
                                 "Ngày thẩm định cây trồng, vật nuôi",
                                 "Ngày thẩm định cây cối hoa màu"),
        C.STRUCTURES_APPRAISAL_DATE: ("structures_appraisal_date",
                                      "Ngày thẩm định nhà, vật kiến trúc",
                                      "Ngày thẩm định nhà ở, vật kiến trúc",
                                      "Ngày thẩm định công trình nhà ở, vật kiến trúc",
                                      "Ngày thẩm định nhà, công trình",
                                      "Ngày thẩm định vật kiến trúc"),
        C.RECOVERY_DECISION_DATE: ("recovery_decision_date", "Ngày quyết định thu hồi",
                                   "Ngày QĐ thu hồi", "Ngày quyết định thu hồi đất", "Ngày QĐTH"),
        C.ENFORCEMENT_DECISION_DATE: ("enforcement_decision_date", "Ngày quyết định cưỡng chế",
                                      "Ngày QĐ cưỡng chế"),
        C.ENFORCED_RECOVERY_DATE: ("enforced_recovery_date", "Cưỡng chế thu hồi",
                                   "Ngày cưỡng chế thu hồi", "Cưỡng chế thu hồi đất",
                                   "Ngày cưỡng chế thu hồi đất", "CCTH"),
    },
}  # fmt: skip
_ROW_ALIASES = {C.SITE: ("site", "Tên điểm", "Điểm", "Vị trí", "Tên", "name")}
ALIASES["centerline"] = {
    "start_chainage": ("start_chainage", "Lý trình đầu", "Km đầu", "KM_DAU", "tu_km", "from_km",
                       "LT_DAU", "Điểm đầu"),
    "end_chainage": ("end_chainage", "Lý trình cuối", "Km cuối", "KM_CUOI", "den_km", "to_km",
                     "LT_CUOI", "Điểm cuối"),
}  # fmt: skip

#: Status words → stage (matched folded, longest first).
STATUS_WORDS: dict[str, str] = {
    "chua kiem dem": C.NOT_STARTED, "chua thuc hien": C.NOT_STARTED,
    "not started": C.NOT_STARTED, "not_started": C.NOT_STARTED,
    "da kiem dem": C.INVENTORIED, "kiem dem": C.INVENTORIED, "inventoried": C.INVENTORIED,
    "da phe duyet": C.PLAN_APPROVED, "phe duyet": C.PLAN_APPROVED,
    "plan approved": C.PLAN_APPROVED, "plan_approved": C.PLAN_APPROVED,
    "approved": C.PLAN_APPROVED,
    "da chi tra": C.PAID, "da nhan tien": C.PAID, "chi tra": C.PAID, "paid": C.PAID,
    "da ban giao": C.HANDED_OVER, "ban giao": C.HANDED_OVER, "handed over": C.HANDED_OVER,
    "handed_over": C.HANDED_OVER, "da giao mat bang": C.HANDED_OVER, "da bgmb": C.HANDED_OVER,
    "bgmb": C.HANDED_OVER, "hoan thanh": C.HANDED_OVER,
}  # fmt: skip
#: Abbreviations offices write for a step done, matched as whole words ("Đã BG", "KĐ xong").
_ABBREVIATIONS = {"bg": C.HANDED_OVER, "kd": C.INVENTORIED, "pd": C.PLAN_APPROVED,
                  "pdpa": C.PLAN_APPROVED, "ct": C.PAID}  # fmt: skip
#: "Chưa <step>" (not yet) and "Đang <step>" (under way): the stage before that step.
_NOT_YET = {"kiem dem": C.NOT_STARTED, "kd": C.NOT_STARTED, "phe duyet": C.INVENTORIED,
            "pd": C.INVENTORIED, "lap phuong an": C.INVENTORIED, "lap pa": C.INVENTORIED,
            "tham dinh": C.INVENTORIED, "lap ho so": C.INVENTORIED, "chi tra": C.PLAN_APPROVED,
            "ct": C.PLAN_APPROVED, "nhan tien": C.PLAN_APPROVED, "ban giao": C.PAID,
            "bgmb": C.PAID, "bg": C.PAID, "giao mat bang": C.PAID}  # fmt: skip
#: Status words that set a record's flags, not its stage: (enforcement, complaint).
_FLAG_WORDS = {"cuong che": (True, False), "khieu nai": (False, True), "don thu": (False, True),
               "khieu kien": (False, True), "to cao": (False, True)}  # fmt: skip

_FALSE_WORDS = {"", "khong", "no", "false", "0", "k", "-", "ko", "kg", "khg", "none", "n/a", "na"}


def column_key(name: object) -> str:
    """A heading or field name as it is matched: folded, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", fold(name))


@functools.cache
def alias_keys(layer: str) -> dict[str, str]:
    """Every alias of a layer's columns, as matched (:func:`column_key`) → canonical name.

    A money heading may end with its unit ("Đã chi trả (triệu đồng)":
    :func:`gpmb_gis.io.amounts.money_unit`).
    """
    aliases = ALIASES.get(layer, _ROW_ALIASES)
    keys = {column_key(alias): canon for canon, names in aliases.items() for alias in names}
    for canon in C.MONEY_COLUMNS:
        for alias in aliases.get(canon, ()):
            keys.update({column_key(alias) + unit: canon for unit in UNITS})
    return keys


def match_columns(
    names: Iterable[object], layer: str, fields: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Map a file's column names to canonical names.

    Parameters
    ----------
    names
        Column names as they are in the file.
    layer
        ``parcels``, ``communes``, ``handovers`` or ``row``.
    fields
        The config's ``[fields.<layer>]`` table: source name → canonical name; wins over aliases.

    Returns
    -------
    dict
        Source name → canonical name, for the columns recognised (first match wins).
    """
    wanted = alias_keys(layer)
    explicit = {column_key(src): canon for src, canon in (fields or {}).items()}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for pass_map in (explicit, wanted):
        for name in names:
            key = column_key(name)
            canon = pass_map.get(key)
            if canon and canon not in taken and name not in out:
                out[str(name)] = canon
                taken.add(canon)
    return out


def field_notes(fields: Mapping[str, Mapping[str, str]]) -> list[Finding]:
    """Note each ``[fields.<layer>]`` entry that gives a built-in column name another meaning.

    ``DIENTICH = "sheet"`` is obeyed, but the layer's ``DIENTICH`` no longer gives the legal
    area: the QA table says so, so that a mapping copied from another office is noticed.
    """
    notes = []
    for layer, table in fields.items():
        builtin = alias_keys(layer)
        for source, target in table.items():
            meant = builtin.get(column_key(source))
            if meant is not None and meant != target:
                notes.append(
                    Finding(
                        WARNING,
                        "field_shadows_alias",
                        "config",
                        f"[fields.{layer}] {source}",
                        params={"column": source, "target": target, "builtin": meant},
                    )
                )
    return notes


def nearest_column(wanted: str, layer: str, found: Iterable[object]) -> str | None:
    """Return the column among ``found`` whose name is closest to ``wanted`` or its aliases."""
    import difflib

    found = [str(f) for f in found]
    keys = {column_key(f): f for f in found}
    aliases = [column_key(a) for a in ALIASES.get(layer, {}).get(wanted, (wanted,))]
    best, best_ratio = None, 0.0
    for alias in aliases:
        for key, original in keys.items():
            ratio = difflib.SequenceMatcher(None, alias, key).ratio()
            if ratio > best_ratio:
                best, best_ratio = original, ratio
    return best if best_ratio >= 0.5 else None


def parse_status(text: object) -> str | None:
    """Return the stage a status text names, or None when it names none.

    Examples
    --------
    >>> parse_status("Đã bàn giao mặt bằng"), parse_status("ĐÃ NHẬN TIỀN"), parse_status("")
    ('handed_over', 'paid', None)
    >>> parse_status("Chưa bàn giao"), parse_status("chưa kiểm đếm")
    ('paid', 'not_started')
    >>> parse_status("Đã BG"), parse_status("KĐ"), parse_status("Đang lập phương án")
    ('handed_over', 'inventoried', 'inventoried')
    >>> parse_status("Khiếu nại") is None, parse_status("Cưỡng chế kiểm đếm") is None
    (True, True)
    """
    folded = fold(text)
    if not folded or folded.startswith(tuple(_FLAG_WORDS)) or "?" in folded:
        return None  # a flag (status_flags), or a question: no step done
    if folded.startswith(("chua ", "not yet ", "dang ")):  # "Chưa bàn giao": the step before
        return _step_before(folded.split(" ", 1)[1].removeprefix("yet "))
    clauses = [c.strip() for c in re.split(r"[,;:/()+]|\s-\s|\.\s|\snhung\s", folded) if c.strip()]
    if any(set(c.split()) <= _NEGATIONS for c in clauses):  # "BG: chưa", "Bàn giao - không"
        return None
    stages = [s for c in clauses if not _doubtful(c) and (s := _step_done(c)) is not None]
    return max(stages, key=C.STAGES.index) if stages else None


#: Words that deny a step ("không", "ko", "chưa").
_NEGATIONS = frozenset({"khong", "ko", "k", "kg", "khg", "chua", "ch", "not", "no", "chang",
                        "never", "dung"})  # fmt: skip
#: Phrases that make a clause say a step is not done (yet): planned, asked, put off, undone.
_DOUBT_PHRASES = ("sap", "se", "du kien", "ke hoach", "chuan bi", "tam", "huy",
                  "cham", "van dong", "cam ket", "hen", "de nghi", "phan dau", "du dk",
                  "du dieu kien", "mot phan", "truoc", "trong thang", "trong nam", "pending",
                  "planned", "refused", "tu choi", "to be", "yet", "xin", "neu")  # fmt: skip


def _doubtful(clause: str) -> bool:
    """Whether a clause of a status denies, plans or postpones its step ("không bàn giao")."""
    words = clause.split()
    padded = f" {clause} "
    return (
        bool(_NEGATIONS & set(words))
        or clause.startswith(("cho ", "dang "))
        or any(f" {p} " in padded for p in _DOUBT_PHRASES)
    )


def _step_done(clause: str) -> str | None:
    """The stage a clause that affirms a step names ("đã bàn giao", "BG xong").

    "Hoàn thành kiểm đếm" is the step it names, not the end of the procedure.
    """
    for done in ("da hoan thanh ", "hoan thanh "):
        if clause.startswith(done):
            return _step_done(clause.removeprefix(done))
    for words in sorted(STATUS_WORDS, key=len, reverse=True):
        if clause == words or clause.startswith(words + " ") or f" {words}" in f" {clause}":
            return STATUS_WORDS[words]
    for word_ in re.findall(r"[a-z]+", clause):
        if word_ in _ABBREVIATIONS:
            return _ABBREVIATIONS[word_]
    return None


def _step_before(rest: str) -> str | None:
    """The stage before the step that a "chưa …" or "đang …" status names."""
    for words, stage in _NOT_YET.items():
        if rest == words or rest.startswith(words + " "):
            return stage
    return C.NOT_STARTED if rest.startswith("thuc hien") else None


def status_flags(text: object) -> tuple[bool, bool]:
    """Whether a status text says enforcement, and whether it says a complaint.

    Examples
    --------
    >>> status_flags("Cưỡng chế kiểm đếm"), status_flags("Đã BG, còn khiếu nại")
    ((True, False), (False, True))
    >>> status_flags("Không khiếu nại"), status_flags("Khiếu nại đã được giải quyết")
    ((False, False), (False, False))
    >>> status_flags("Đã bàn giao (không khiếu nại)"), status_flags("Đề nghị cưỡng chế")
    ((False, False), (False, False))
    """
    clauses = [c.strip() for c in re.split(r"[,;:/()+]|\s-\s|\.\s", fold(text)) if c.strip()]
    if any(set(c.split()) <= _NEGATIONS for c in clauses):  # "Khiếu nại: không"
        return False, False
    enforcement = complaint = False
    for clause in clauses:
        words = set(clause.split())
        padded = f" {clause} "
        if words & _NEGATIONS or any(f" {p} " in padded for p in (*_DOUBT_PHRASES, *_SETTLED)):
            continue  # "không có đơn khiếu nại", "đề nghị cưỡng chế", "đã rút đơn"
        for flag, (enforced, complained) in _FLAG_WORDS.items():
            if f" {flag} " in padded:
                enforcement, complaint = enforcement or enforced, complaint or complained
    return enforcement, complaint


#: Words that say a complaint or an enforcement is over or off ("đã giải quyết", "rút đơn").
_SETTLED = (
    "giai quyet",
    "rut",
    "het",
    "xong",
    "dung",
    "khong thuoc",
    "khong phai",
    "hoan",
    "mien",
    "bai bo",
    "thoi",
    "thu hoi qd",
    "thu hoi quyet dinh",
    "tranh",
    "huy bo",
)


def parse_flag(value: object) -> bool | None:
    """Read a yes/no cell (``x``, ``có``, ``1``, blank, or words such as "Có đơn").

    A mark, a "yes" word, or a note that names the complaint or the enforcement ("Đơn ngày
    12/5", "Có khiếu nại") means yes; a "no" (``không``, ``chưa``, ``ko``, ``–``) no. Anything
    else is None (said, not read as yes): a number neither 0 nor 1, a text in doubt (a
    question, a plan: "dự kiến", "đề nghị"; a negation or an end: "đã rút đơn", "hoãn",
    "miễn"), or a text that says neither ("Đồng ý", a name).

    Examples
    --------
    >>> parse_flag("x"), parse_flag("Có khiếu nại"), parse_flag("không"), parse_flag(None)
    (True, True, False, False)
    >>> parse_flag("Ko"), parse_flag("?"), parse_flag("Dự kiến 15/7"), parse_flag("Đã rút đơn")
    (False, None, None, None)
    >>> parse_flag("–"), parse_flag("Đơn ngày 12/5"), parse_flag("Miễn"), parse_flag("Đồng ý")
    (False, True, None, None)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if np.isnan(value):
            return False
        return bool(value) if value in (0, 1) else None
    return _flag_text(" ".join(fold(value).split()))


def _flag_text(folded: str) -> bool | None:
    """:func:`parse_flag` of a folded text."""
    padded = f" {folded} "
    if "?" in folded:
        return None  # a question: neither
    if (
        not re.search(r"[a-z0-9]", folded)  # "–", ".", "/": nothing written
        or folded in _FALSE_WORDS
        or folded.startswith(("khong", "chua", "no ", "ko ", "0 "))
    ):
        return False
    if set(folded.split()) & _NEGATIONS or any(
        f" {p} " in padded for p in (*_DOUBT_PHRASES, *_SETTLED)
    ):
        return None
    said = any(f" {w} " in padded for w in _FLAG_SAYING)
    return True if folded in _YES_WORDS or folded.startswith("co ") or said else None


#: Words a complaint or enforcement cell says yes with ("Đơn ngày 12/5", "Có khiếu nại").
_FLAG_SAYING = ("khieu nai", "cuong che", "don", "khieu kien", "to cao", "kien nghi")


#: Words (folded) that say yes in a yes/no column read strictly (:func:`parse_yes`).
_YES_WORDS = frozenset({"x", "co", "yes", "v", "1", "tdc", "co tdc", "dien tdc", "thuoc dien tdc",
                        "bo tri tdc", "tai dinh cu", "cuong che", "da cuong che"})  # fmt: skip


def parse_yes(value: object) -> bool | None:
    """Read a yes/no cell strictly: a mark or a "yes" word, a "no", or None for anything else.

    For the columns whose "yes" raises a figure (resettlement, an enforcement mark): a
    note such as "Tự lo chỗ ở" or "?" is not read as yes.

    Examples
    --------
    >>> parse_yes("x"), parse_yes("Có"), parse_yes(""), parse_yes("không"), parse_yes("?")
    (True, True, False, False, None)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if np.isnan(value) or value == 0:
            return False
        return True if value > 0 else None
    folded = " ".join(fold(value).split())
    if folded in _FALSE_WORDS or folded.startswith(("khong", "chua")):
        return False
    return True if folded in _YES_WORDS else None


#: Headings that hold no data of a record: its number in the book.
NUMBER_HEADINGS = frozenset({"stt", "tt", "sott", "so", "no", "nr", "thutu", "sothutu"})
#: Columns whose heading, written longer, is refused rather than lost: the key and the dates.
KEY_AND_DATES = (C.SHEET, C.PARCEL, C.COMMUNE, *C.DATE_COLUMNS)


def closest_heading(label: str) -> tuple[str, str, bool] | None:
    """The known heading nearest a book's heading: (alias, canonical name, starts with it).

    Examples
    --------
    >>> closest_heading("Ngày bàn giao (thực tế)")
    ('Ngày bàn giao', 'handover_date', True)
    >>> closest_heading("Ngay ban gia") is not None
    True
    """
    import difflib

    key = column_key(label)
    if not key:
        return None
    aliases = [(a, canon) for canon, names in ALIASES["handovers"].items() for a in names]
    prefixed = [
        (len(column_key(a)), a, canon)
        for a, canon in aliases
        if len(column_key(a)) >= 5 and key.startswith(column_key(a))
    ]
    if prefixed:
        _, alias, canon = max(prefixed)
        return alias, canon, True
    scored = [
        (difflib.SequenceMatcher(None, key, column_key(a)).ratio(), a, canon)
        for a, canon in aliases
    ]
    ratio, alias, canon = max(scored)
    return (alias, canon, False) if ratio >= 0.6 else None
