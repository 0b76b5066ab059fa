"""The QA table and the record accounting in the report's language.

Short names of the checks (``record_no_parcel`` → "Bản ghi không khớp thửa nào"), layers as
people name them (``row:QL4B`` → "phạm vi GPMB QL4B"), the counts per check of ``index.html``
and ``qa.html``, and the ``records`` lines of the pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from gpmb_gis import columns as C
from gpmb_gis.labels import format_number, heading, word

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult

__all__ = ["CHECK_TITLES_VI", "check_title", "layer_word", "qa_counts", "records_lines"]


#: A short name of each check, in Vietnamese (English names are the checks' codes in words):
#: the QA counts of ``index.html`` and ``qa.html`` and the QA layer of ``gpmb.gpkg``.
CHECK_TITLES_VI: dict[str, str] = {
    "geometry_repaired": "Hình học sai, đã sửa",
    "collection_reduced": "Tập hợp hình học, chỉ giữ đa giác",
    "geometry_empty": "Đối tượng không có hình học",
    "geometry_no_area": "Đối tượng không có diện tích",
    "crs_assumed": "Hệ tọa độ khai báo sai",
    "drawing_polygonized": "Bản vẽ dựng thành thửa",
    "drawing_label_outside": "Nhãn số thửa ngoài thửa",
    "drawing_face_labels": "Một thửa nhiều nhãn",
    "cad_layers_unused": "Bản vẽ không có cột lớp",
    "drawing_elements_skipped": "Đối tượng bản vẽ không dùng",
    "encoding_declared_wrong": "Bảng mã khai báo sai",
    "z_dropped": "Bỏ tọa độ Z/M",
    "legacy_encoding": "Văn bản mã cũ (TCVN3, VNI) đã chuyển",
    "parcel_key_repeated": "Số hiệu thửa trùng",
    "parcel_key_missing": "Thửa không có số thửa",
    "record_no_parcel": "Bản ghi không khớp thửa nào",
    "record_unknown_project": "Dự án không có trong cấu hình",
    "record_commune_unknown": "Xã không khớp bản đồ",
    "ambiguous_after_merger": "Xã mới gồm nhiều xã cũ có cùng tờ, thửa",
    "communes_2025_unknown": "Xã mới không có trong danh sách",
    "communes_2025_conflict": "Xã mới: mã và tên không khớp",
    "communes_2025_overlap": "Ranh giới xã mới chồng nhau",
    "commune_unnamed": "Ranh giới xã không có tên và mã",
    "commune_not_the_paths": "Xã của đối tượng khác đường dẫn tệp",
    "sheet_not_the_paths": "Tờ bản đồ của đối tượng khác đường dẫn tệp",
    "file_empty": "Tệp không có đối tượng",
    "path_pattern_unmatched": "Đường dẫn tệp không khớp mẫu",
    "file_unreadable": "Không đọc được tệp",
    "book_mixes_eras": "Sổ ghi xã theo cả hai thời kỳ",
    "commune_other_era": "Xã của thời kỳ khác",
    "book_communes_2025": "Sổ ghi theo xã mới",
    "record_no_commune": "Dòng không ghi xã",
    "record_no_sheet": "Dòng không ghi tờ bản đồ",
    "record_sheet_ambiguous": "Nhiều trang tính giống sổ",
    "record_no_project": "Dòng không ghi dự án",
    "record_key_repeated": "Bản ghi khớp nhiều thửa cùng số hiệu",
    "record_repeated": "Thửa có nhiều bản ghi",
    "record_parcel_no_shape": "Thửa không có hình",
    "record_outside_row": "Thửa ngoài phạm vi GPMB",
    "date_unparseable": "Ngày không đọc được",
    "unknown_status": "Trạng thái không rõ",
    "unknown_flag": "Giá trị có/không không rõ",
    "field_shadows_alias": "Cấu hình gán lại cột",
    "footer_row": "Dòng dưới dòng tổng cộng",
    "book_column_unknown": "Cột không được hiểu",
    "sheet_skipped": "Trang tính không phải sổ",
    "parcel_multipart": "Thửa nhiều vùng rời nhau",
    "clear_land_use_unmatched": "Loại đất đã sạch không có trong dự án",
    "legal_area_unreadable": "Diện tích pháp lý không phải số",
    "legal_area_is_date": "Diện tích pháp lý là ngày",
    "legal_area_negative": "Diện tích pháp lý âm",
    "legal_area_mismatch": "Diện tích pháp lý khác diện tích đo",
    "parcel_outside_communes": "Thửa ngoài mọi xã",
    "commune_mismatch": "Thửa nằm trong xã khác",
    "parcels_overlap": "Thửa chồng lấn",
    "gap_in_row": "Phạm vi GPMB không có thửa",
    "gap_sliver": "Khe hở giữa các thửa",
    "piece_sliver": "Thửa chỉ chạm một dải hẹp",
    "date_after_as_of": "Ngày sau ngày báo cáo",
    "dates_after_as_of": "Ngày sau ngày báo cáo",
    "date_implausible": "Ngày không hợp lý",
    "stages_out_of_order": "Các bước sai thứ tự",
    "steps_out_of_order": "Các bước của quy trình sai thứ tự",
    "step_limit_unanchored": "Thời hạn tính từ bước sổ không ghi",
    "step_before_rule": "Bước tính từ trước khi quy định có hiệu lực",
    "records_unaccounted": "Đếm bản ghi không khớp",
    "total_row": "Dòng tổng",
    "section_row": "Dòng tiêu đề nhóm",
    "record_no_parcel_number": "Dòng không có số thửa",
    "row_empty": "Phạm vi GPMB không có diện tích",
    "amount_unit_assumed": "Số tiền không ghi đơn vị",
    "amount_unreadable": "Số tiền không đọc được",
    "parcel_list_sheet_differs": "Ô số thửa ghi tờ khác",
    "household_by_owner": "Gộp hộ theo tên chủ",
    "household_by_row": "Mỗi dòng một hộ",
    "household_paid_over_approved": "Chi trả vượt số được duyệt",
    "household_handed_over_unpaid": "Bàn giao khi chưa chi trả",
    "household_step_undated": "Thiếu ngày bước trước",
    "resettlement_lots_without_need": "Giao lô tái định cư không thuộc diện",
    "complaint_resolved_before_received": "Giải quyết đơn trước ngày nhận",
}


def check_title(check: str, lang: str = "vi") -> str:
    """A check's short name for people: ``record_no_parcel`` → "Bản ghi không khớp thửa nào".

    Examples
    --------
    >>> check_title("parcels_overlap"), check_title("parcels_overlap", "en")
    ('Thửa chồng lấn', 'Parcels overlap')
    """
    if lang == "vi" and check in CHECK_TITLES_VI:
        return CHECK_TITLES_VI[check]
    return check.replace("_", " ").capitalize()


def records_lines(result: ProgressResult, lang: str) -> list[str]:
    """The record accounting of :func:`summary_lines` in the report's language, for pages."""
    in_layer = result.inputs.in_layer if result.inputs is not None else {}
    lines = []
    for r in result.records.itertuples(index=False):
        layer = layer_word(r.layer, lang)
        whole = in_layer.get(r.layer)
        key = "records_line" if whole is None else "records_near"
        counts = {c: format_number(getattr(r, c), 0, lang) for c in ("read", "used", "listed")}
        lines.append(word(key, lang).format(layer=layer, whole=format_number(whole or 0, 0, lang),
                                            **counts))  # fmt: skip
    doubt = result.unplaced().sentence(lang)
    return [*lines, f"⚠ {doubt}"] if doubt else lines


_LAYER_WORDS = ("parcels", "communes", "handovers", "row")


def layer_word(layer: object, lang: str) -> object:
    """A QA row's layer as people name it: ``row:QL4B`` → "phạm vi GPMB QL4B"."""
    kind, _, project = str(layer).partition(":")
    return word(f"layer_{kind}", lang).format(project=project) if kind in _LAYER_WORDS else layer


def qa_counts(result: ProgressResult, lang: str) -> pd.DataFrame:
    """How many findings of each check, worded: severity, the check's name, its code, count."""
    qa = result.qa_issues
    counts = qa.groupby([C.SEVERITY, C.CHECK], sort=False).size().reset_index(name="n")
    order = {"error": 0, "warning": 1, "info": 2}
    counts = counts.sort_values(C.SEVERITY, key=lambda s: s.map(order), kind="stable")
    return pd.DataFrame({
        heading(C.SEVERITY, lang): [word(f"severity_{v}", lang) for v in counts[C.SEVERITY]],
        word("check", lang): [check_title(v, lang) for v in counts[C.CHECK]],
        word("check_code", lang): counts[C.CHECK].tolist(),
        word("count", lang): counts["n"].tolist(),
    })  # fmt: skip
