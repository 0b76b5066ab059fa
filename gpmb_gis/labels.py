"""Every human-facing word: Vietnamese (default) and English."""

from __future__ import annotations

import math
from typing import Any

from gpmb_gis import columns as C

__all__ = [
    "HEADINGS",
    "LANGS",
    "QA_MESSAGES",
    "STAGE_NAMES",
    "WORDS",
    "format_area",
    "format_number",
    "format_pct",
    "heading",
    "pct_shown",
    "qa_message",
    "quarter_label",
    "stage_name",
    "word",
]


LANGS = ("vi", "en")

STAGE_NAMES: dict[str, dict[str, str]] = {
    "vi": {C.NOT_STARTED: "Chưa kiểm đếm", C.INVENTORIED: "Đã kiểm đếm",
           C.PLAN_APPROVED: "Đã phê duyệt PA", C.PAID: "Đã chi trả",
           C.HANDED_OVER: "Đã bàn giao", C.ALREADY_CLEAR: "Đất đã sạch (DGT…)",
           "unmapped": "Chưa có thửa đất"},
    "en": {C.NOT_STARTED: "Not started", C.INVENTORIED: "Inventoried",
           C.PLAN_APPROVED: "Plan approved", C.PAID: "Paid", C.HANDED_OVER: "Handed over",
           C.ALREADY_CLEAR: "Already clear (road…)", "unmapped": "No parcel"},
}  # fmt: skip

#: Column headings of the human tables (report.xlsx, index.html).
HEADINGS: dict[str, dict[str, str]] = {
    "vi": {
        C.PROJECT: "Mã dự án",
        C.PROJECT_NAME: "Dự án",
        C.COMMUNE_CODE: "Mã xã",
        C.COMMUNE_2025_CODE: "Mã xã mới (từ 1/7/2025)",
        C.COMMUNE_2025: "Xã/phường mới (từ 1/7/2025)",
        C.COMMUNE_2024_CODE: "Mã xã cũ (trước 1/7/2025)",
        C.COMMUNE_2024: "Xã cũ (trước 1/7/2025)",
        "old_communes": "Gồm các xã cũ",
        C.COMMUNE: "Xã/Phường/Thị trấn",
        C.REQUIRED_M2: "Diện tích cần GPMB (ha)",
        C.CLEARED_M2: "Đã bàn giao (ha)",
        C.CLEARED_PCT: "Tỷ lệ (%)",
        C.UNMAPPED_M2: "Chưa có thửa (ha)",
        C.PARCELS_AFFECTED: "Số thửa ảnh hưởng",
        C.PARCELS_CLEARED: "Số thửa đã bàn giao",
        C.AS_OF: "Tính đến ngày",
        "inventoried_m2": "Đã kiểm đếm (ha)",
        "plan_approved_m2": "Đã phê duyệt PA (ha)",
        "paid_m2": "Đã chi trả (ha)",
        "handed_over_m2": "Đã bàn giao (ha)",
        C.SHEET: "Tờ bản đồ",
        C.PARCEL: "Số thửa",
        C.LAND_USE: "Loại đất",
        C.AFFECTED_M2: "Diện tích ảnh hưởng (m²)",
        C.STAGE: "Giai đoạn",
        C.HANDOVER_DATE: "Ngày bàn giao",
        C.ENFORCEMENT: "Cưỡng chế",
        C.COMPLAINT: "Khiếu nại",
        C.OWNER: "Chủ sử dụng",
        C.SEVERITY: "Mức độ",
        C.CHECK: "Kiểm tra",
        C.LAYER: "Lớp dữ liệu",
        C.FEATURE: "Đối tượng",
        C.MESSAGE: "Nội dung",
        C.AREA_M2: "Diện tích (m²)",
        "from_label": "Từ lý trình",
        "to_label": "Đến lý trình",
        "segment": "Phân đoạn",
        "length_m": "Chiều dài (m)",
        "kind": "Loại",
        "uncleared_m2": "Chưa bàn giao (m²)",
        "parcels": "Số thửa vướng",
        "side": "Phía",
        "completes_m": "Số m đường sẽ sạch",
        "label": "Mốc",
        "date": "Ngày",
        "target_pct": "Mục tiêu (%)",
        "actual_pct": "Thực hiện (%)",
        "status": "Đánh giá",
        "forecast_date": "Dự báo đạt",
        "reached_date": "Ngày đạt",
        "needed_pct_per_week": "Cần (%/tuần)",
        "recent_pct_per_week": "4 tuần qua (%/tuần)",
        "needed_ha_per_week": "Cần (ha/tuần)",
        "recent_ha_per_week": "4 tuần qua (ha/tuần)",
        "scope": "Phạm vi",
    },
    "en": {
        C.PROJECT: "Project id",
        C.PROJECT_NAME: "Project",
        C.COMMUNE_CODE: "Commune code",
        C.COMMUNE_2025_CODE: "Commune code from 1/7/2025",
        C.COMMUNE_2025: "Commune from 1/7/2025",
        C.COMMUNE_2024_CODE: "Commune code before 1/7/2025",
        C.COMMUNE_2024: "Commune before 1/7/2025",
        "old_communes": "Made of the old communes",
        C.COMMUNE: "Commune",
        C.REQUIRED_M2: "Required (ha)",
        C.CLEARED_M2: "Handed over (ha)",
        C.CLEARED_PCT: "Cleared (%)",
        C.UNMAPPED_M2: "No parcel (ha)",
        C.PARCELS_AFFECTED: "Parcels affected",
        C.PARCELS_CLEARED: "Parcels handed over",
        C.AS_OF: "As of",
        "inventoried_m2": "Inventoried (ha)",
        "plan_approved_m2": "Plan approved (ha)",
        "paid_m2": "Paid (ha)",
        "handed_over_m2": "Handed over (ha)",
        C.SHEET: "Sheet",
        C.PARCEL: "Parcel",
        C.LAND_USE: "Land use",
        C.AFFECTED_M2: "Affected (m²)",
        C.STAGE: "Stage",
        C.HANDOVER_DATE: "Handover date",
        C.ENFORCEMENT: "Enforcement",
        C.COMPLAINT: "Complaint",
        C.OWNER: "Owner",
        C.SEVERITY: "Severity",
        C.CHECK: "Check",
        C.LAYER: "Layer",
        C.FEATURE: "Feature",
        C.MESSAGE: "Message",
        C.AREA_M2: "Area (m²)",
        "from_label": "From",
        "to_label": "To",
        "segment": "Segment",
        "length_m": "Length (m)",
        "kind": "Kind",
        "uncleared_m2": "Not handed over (m²)",
        "parcels": "Blocking parcels",
        "side": "Side",
        "completes_m": "Road completed (m)",
        "label": "Milestone",
        "date": "Date",
        "target_pct": "Target (%)",
        "actual_pct": "Actual (%)",
        "status": "Status",
        "forecast_date": "Forecast",
        "reached_date": "Reached",
        "needed_pct_per_week": "Needed (%/week)",
        "recent_pct_per_week": "Last 4 weeks (%/week)",
        "needed_ha_per_week": "Needed (ha/week)",
        "recent_ha_per_week": "Last 4 weeks (ha/week)",
        "scope": "Scope",
    },
}

HEADINGS["vi"].update(
    {
        "agency": "Cơ quan, đơn vị",
        "quarter": "Quý",
        "steps_due": "Số bước đến hạn",
        "on_time": "Đúng hạn",
        "late": "Chậm",
        "overdue": "Quá hạn",
        "median_days": "Số ngày chậm (trung vị)",
        "p90_days": "Số ngày chậm (90 %)",
        "households_waiting": "Số hộ chờ",
        "area_waiting_m2": "Diện tích chờ (m²)",
        "step": "Bước",
        "due_date": "Hạn",
        "done_date": "Ngày thực hiện",
        "days_late": "Số ngày chậm",
        "waiting_step": "Đang chờ bước",
        "waiting_agency": "Cơ quan đang xử lý",
        "overdue_days": "Số ngày quá hạn",
        "agency_now": "Cơ quan đang giữ",
        "household": "Hộ (mã hộ)",
        "calendar_days_late": "Số ngày chậm (ngày lịch)",
        "counted_from": "Tính từ ngày",
        "limit_days": "Thời hạn",
        "days": "Loại ngày",
        "limit_source": "Căn cứ",
    }
)
HEADINGS["en"].update({
    "agency": "Agency", "quarter": "Quarter", "steps_due": "Steps due", "on_time": "On time",
    "late": "Late", "overdue": "Overdue", "median_days": "Days late (median)",
    "p90_days": "Days late (90 %)", "households_waiting": "Households waiting",
    "area_waiting_m2": "Area waiting (m²)", "step": "Step", "due_date": "Due",
    "done_date": "Done", "days_late": "Days late", "waiting_step": "Waiting on",
    "waiting_agency": "Whose step", "overdue_days": "Days overdue", "agency_now": "Holds it now",
    "household": "Household (id)",
    "calendar_days_late": "Calendar days late", "counted_from": "Counted from",
    "limit_days": "Limit", "days": "Days", "limit_source": "Source",
})  # fmt: skip
HEADINGS["vi"].update({
    C.HOUSEHOLDS_AFFECTED: "Số hộ bị ảnh hưởng", "households_inventoried": "Hộ đã kiểm đếm",
    "households_plan_approved": "Hộ đã phê duyệt PA", "households_paid": "Hộ đã chi trả",
    "households_handed_over": "Hộ đã bàn giao", "compensation_approved_bn": "Kinh phí được duyệt (tỷ đồng)",
    "compensation_paid_bn": "Đã chi trả (tỷ đồng)", C.COMPENSATION_APPROVED_VND: "Kinh phí được duyệt (đồng)",
    C.COMPENSATION_PAID_VND: "Đã chi trả (đồng)", "resettlement_households": "Hộ tái định cư",
    "resettlement_lots_allocated": "Lô TĐC đã giao", C.GRAVES_TO_MOVE: "Mồ mả phải di chuyển",
    C.GRAVES_MOVED: "Mồ mả đã di chuyển", C.INFRASTRUCTURE_TO_MOVE: "HTKT phải di chuyển",
    C.INFRASTRUCTURE_MOVED: "HTKT đã di chuyển", "complaints_received": "Đơn đã nhận",
    "complaints_resolved": "Đơn đã giải quyết", "complaints_open": "Đơn còn tồn",
    "households_enforced": "Hộ bị cưỡng chế", "households_in_other_communes": "Hộ có đất ở xã khác",
    "summary": "Tóm tắt",
})  # fmt: skip
HEADINGS["en"].update({
    C.HOUSEHOLDS_AFFECTED: "Households affected", "households_inventoried": "Households inventoried",
    "households_plan_approved": "Households with plans approved", "households_paid": "Households paid",
    "households_handed_over": "Households handed over", "compensation_approved_bn": "Approved (billion đồng)",
    "compensation_paid_bn": "Paid (billion đồng)", C.COMPENSATION_APPROVED_VND: "Approved (đồng)",
    C.COMPENSATION_PAID_VND: "Paid (đồng)", "resettlement_households": "Households to resettle",
    "resettlement_lots_allocated": "Resettlement lots given", C.GRAVES_TO_MOVE: "Graves to move",
    C.GRAVES_MOVED: "Graves moved", C.INFRASTRUCTURE_TO_MOVE: "Infrastructure to move",
    C.INFRASTRUCTURE_MOVED: "Infrastructure moved", "complaints_received": "Complaints received",
    "complaints_resolved": "Complaints resolved", "complaints_open": "Complaints open",
    "households_enforced": "Households under enforcement",
    "households_in_other_communes": "Households with land in another commune", "summary": "Summary",
})  # fmt: skip

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "total": "Tổng cộng", "by_project": "Tiến độ theo dự án",
        "severity_error": "Lỗi", "severity_warning": "Cảnh báo", "severity_info": "Ghi chú",
        "side_left": "trái", "side_right": "phải", "side_both": "cả hai bên",
        "no_land": "không có đất phải GPMB",
        "atlas_page": "Trang", "scale": "Tỷ lệ", "atlas_key": "Sơ đồ các trang bình đồ",
        "atlas_pages": "trang",
        "atlas_cut": "phạm vi GPMB rộng hơn trang: một phần không hiện ở đây (xem gpmb.gpkg)",
        "atlas": "Bình đồ theo tuyến",
        "step_notice": "Thông báo thu hồi đất", "step_inventory": "Kiểm đếm",
        "step_posting": "Niêm yết phương án",
        "step_appraisal_submitted": "Trình thẩm định phương án",
        "step_appraisal_crops": "Thẩm định cây cối, hoa màu",
        "step_appraisal_structures": "Thẩm định nhà, vật kiến trúc", "step_appraisal": "Thẩm định phương án",
        "step_plan_approved": "Phê duyệt phương án", "step_recovery_decision": "Quyết định thu hồi đất",
        "step_payment": "Chi trả", "step_handover": "Bàn giao mặt bằng", "step_enforcement": "Cưỡng chế",
        "step_not_in_book": "(sổ chưa có thửa này)", "none_overdue": "Không có bước nào quá hạn.",
        "none_due": "Chưa có bước nào đến hạn.",
        "nothing_judged": "Sổ không ghi ngày của bước nào có thời hạn (và của bước tính thời hạn từ đó): chưa đánh giá được cơ quan nào.",
        "days_calendar": "ngày", "days_working": "ngày làm việc",
        "records_unjudged": "{count} bản ghi không ghép được với thửa nào chưa được đánh giá (xem bảng kiểm tra dữ liệu).",
        "agencies_sheet": "Cơ quan", "agency_steps_sheet": "Thời hạn từng bước",
        "quarter_label": "Quý {q}/{year}", "overdue_now": "quá hạn, chưa làm (gạch chéo)",
        "steps_late": "Số bước chậm, quá hạn",
        "agencies_chart": "Số bước chậm và quá hạn của các cơ quan, theo quý đến hạn",
        "agencies_title": "Đánh giá việc chấp hành thời gian của các cơ quan, đơn vị",
        "longest_overdue": "Các bước quá hạn lâu nhất",
        "steps_judged": "Các bước được đánh giá: {judged}. Không đánh giá được (sổ không ghi ngày hoặc không có thời hạn): {missing}.",
        "basemap_osm": "Nền OpenStreetMap (cần mạng)", "parcels_layer": "Thửa theo bước GPMB",
        "ribbon": "Tiến độ theo lý trình",
        "records_line": "{layer}: đọc {read} = dùng {used} + liệt kê {listed}",
        "records_near": "{layer}: đọc {read} đối tượng chạm phạm vi GPMB (trong {whole} của lớp) = dùng {used} + liệt kê {listed}",
        "layer_parcels": "thửa", "layer_communes": "ranh giới xã", "layer_handovers": "sổ bàn giao",
        "layer_row": "phạm vi GPMB {project}", "check": "Kiểm tra", "check_code": "Mã kiểm tra", "count": "Số",
        "households": "Hộ và kinh phí",
        "money_paid_of": "đã chi trả {paid}/{approved} tỷ đồng",
        "households_handed_over_pct": "Hộ đã bàn giao (% số hộ)",
        "households_moved": "{handed} hộ mới bàn giao, {money} tỷ đồng chi trả",
        "households_new": "hộ mới bàn giao",
        "households_sentence": "đã bàn giao {handed}/{households} hộ, {cleared}/{required} ha ({pct} %)",
        "by_commune": "Tiến độ theo xã", "by_commune_2024": "Theo xã trước 1-7-2025", "parcels": "Danh sách thửa",
        "qa": "Kiểm tra dữ liệu", "as_of": "Tính đến ngày", "map": "Bản đồ",
        "row": "Phạm vi GPMB", "communes": "Ranh giới xã", "outside_communes": "(ngoài ranh giới xã)",
        "unmapped_land": "(đất không thuộc thửa nào)", "commune_unknown": "(không rõ xã)", "commune_2025_unknown": "(chưa rõ xã sau 1/7/2025)",
        "records": "Bản ghi", "read": "đọc", "used": "dùng", "listed": "liệt kê",
        "report_title": "Báo cáo tiến độ giải phóng mặt bằng", "synthetic": "",
        "files": "Tệp kết quả", "cleared_of": "đã bàn giao",
        "by_chainage": "Tiến độ theo lý trình", "blockers": "Điểm vướng",
        "what_blocks": "Những đoạn còn vướng", "clean_km": "Km sạch (100%)",
        "longest_cleared": "Đoạn sạch liên tục dài nhất", "blocked": "Đoạn còn vướng",
        "blocking_parcels": "Thửa vướng (xếp theo số mét đường sẽ sạch nếu bàn giao)",
        "met": "đạt", "missed": "không đạt", "on_track": "đúng tiến độ", "at_risk": "có nguy cơ chậm",
        "trend": "xu hướng 4 tuần gần nhất", "project_average": "cả dự án", "lagging": "chậm",
        "burnup": "Tiến độ bàn giao theo thời gian", "communes_chart": "Tỷ lệ bàn giao theo xã",
        "funnel": "Các bước GPMB", "milestones": "Mốc tiến độ", "stages": "Các bước", "web_map": "Bản đồ tương tác (mở được khi không có mạng)", "this_week": "Thay đổi so với tuần trước",
        "newly_handed_over": "thửa mới bàn giao", "points": "điểm %",
        "unplaced": "{count} trong {total} bản ghi không ghép được với thửa nào hoặc không đọc được: có thể tới {ha} ha chưa được tính",
        "unplaced_unknown_area": "{count} trong {total} bản ghi không ghép được với thửa nào hoặc không đọc được",
    },
    "en": {
        "total": "Total", "by_project": "Progress by project",
        "severity_error": "Error", "severity_warning": "Warning", "severity_info": "Note",
        "side_left": "left", "side_right": "right", "side_both": "both sides",
        "no_land": "no land to clear",
        "atlas_page": "Page", "scale": "Scale", "atlas_key": "Key to the map book's pages",
        "atlas_pages": "pages",
        "atlas_cut": "the right of way is wider than the page: part of it is not shown here (see gpmb.gpkg)",
        "atlas": "Map book along the road",
        "step_notice": "Recovery notice", "step_inventory": "Inventory",
        "step_posting": "Plan posted",
        "step_appraisal_submitted": "Plan submitted for appraisal",
        "step_appraisal_crops": "Crops and trees appraised",
        "step_appraisal_structures": "Houses and structures appraised", "step_appraisal": "Plan appraised",
        "step_plan_approved": "Plan approved", "step_recovery_decision": "Recovery decision",
        "step_payment": "Payment", "step_handover": "Handover", "step_enforcement": "Enforcement",
        "step_not_in_book": "(not in the book)", "none_overdue": "No step is overdue.", "none_due": "No step is due yet.",
        "nothing_judged": "The book dates no step that has a limit (with the step it counts from): no agency can be judged yet.",
        "days_calendar": "days", "days_working": "working days",
        "records_unjudged": "{count} records that no parcel took are not judged (see the data checks).",
        "agencies_sheet": "Agencies", "agency_steps_sheet": "Step deadlines",
        "quarter_label": "Q{q}/{year}", "overdue_now": "overdue, not done (hatched)",
        "steps_late": "Steps late or overdue",
        "agencies_chart": "Steps late and overdue of each agency, by quarter due",
        "agencies_title": "How the agencies kept to their time limits",
        "longest_overdue": "The steps overdue longest",
        "steps_judged": "Steps judged: {judged}. Not judged (the book does not date them, or they have no limit): {missing}.",
        "basemap_osm": "OpenStreetMap basemap (online)", "parcels_layer": "Parcels by stage",
        "ribbon": "Progress by chainage",
        "records_line": "{layer}: {read} read = {used} used + {listed} listed",
        "records_near": "{layer}: {read} read (those touching a right of way, of {whole} in the layer) = {used} used + {listed} listed",
        "layer_parcels": "parcels", "layer_communes": "communes", "layer_handovers": "handover book",
        "layer_row": "right of way {project}", "check": "Check", "check_code": "Code", "count": "Count",
        "households": "Households and money",
        "money_paid_of": "paid {paid}/{approved} billion đồng",
        "households_handed_over_pct": "Households handed over (% of households)",
        "households_moved": "{handed} households newly handed over, {money} billion đồng paid",
        "households_new": "households newly handed over",
        "households_sentence": "handed over {handed}/{households} households, {cleared}/{required} ha ({pct} %)", "by_commune": "Progress by commune", "by_commune_2024": "By commune before 1-7-2025",
        "parcels": "Parcels", "qa": "Data checks", "as_of": "As of", "map": "Map",
        "row": "Right of way", "communes": "Commune boundaries",
        "outside_communes": "(outside communes)", "unmapped_land": "(land in no parcel)",
        "commune_unknown": "(commune unknown)", "commune_2025_unknown": "(commune after 1/7/2025 unknown)", "records": "Records", "read": "read",
        "used": "used", "listed": "listed", "report_title": "Site clearance progress report",
        "synthetic": "", "files": "Output files", "cleared_of": "handed over",
        "by_chainage": "Progress by chainage", "blockers": "Blockers",
        "what_blocks": "What blocks the road", "clean_km": "Clean km (100%)",
        "longest_cleared": "Longest continuous cleared stretch", "blocked": "Blocked stretches",
        "blocking_parcels": "Blocking parcels (ranked by metres of road their handover completes)",
        "met": "met", "missed": "missed", "on_track": "on track", "at_risk": "at risk",
        "trend": "trend of the last 4 weeks", "project_average": "project", "lagging": "lagging",
        "burnup": "Handover over time", "communes_chart": "Handed over by commune",
        "funnel": "Clearance stages", "milestones": "Milestones", "stages": "Stages", "web_map": "Interactive map (works offline)", "this_week": "Since last week",
        "newly_handed_over": "parcels newly handed over", "points": "points",
        "unplaced": "{count} of {total} records could not be placed or read: up to {ha} ha not counted",
        "unplaced_unknown_area": "{count} of {total} records could not be placed or read",
    },
}  # fmt: skip

#: QA messages by check code; ``{name}`` fields come from the finding's params.
QA_MESSAGES: dict[str, dict[str, str]] = {
    "geometry_repaired": {
        "vi": "Hình học không hợp lệ ({reason}), đã sửa bằng make_valid: {before:.2f} → {after:.2f} m²; bỏ: {dropped}",
        "en": "Invalid geometry ({reason}) repaired with make_valid: {before:.2f} → {after:.2f} m²; dropped: {dropped}"},
    "collection_reduced": {
        "vi": "Tập hợp hình học: chỉ giữ phần đa giác; bỏ: {dropped}",
        "en": "Geometry collection reduced to its polygons; dropped: {dropped}"},
    "geometry_empty": {"vi": "Đối tượng không có hình học: không dùng",
                       "en": "Feature has no geometry: not used"},
    "geometry_no_area": {"vi": "Đối tượng không có diện tích (đường/điểm): không dùng",
                         "en": "Feature has no area (line or point): not used"},
    "crs_assumed": {
        "vi": "Lớp khai báo {declared} nhưng tọa độ là mét của {assumed}: đã dùng {assumed}",
        "en": "The layer says {declared} but its coordinates are metres of {assumed}: {assumed} used"},
    "drawing_polygonized": {
        "vi": "Bản vẽ: {lines} đường ranh và {shapes} vùng khép kín đã dựng thành {polygons} thửa",
        "en": "Drawing: {lines} boundary lines and {shapes} closed shapes built into {polygons} parcels"},
    "drawing_label_outside": {
        "vi": "Nhãn số thửa \"{label}\" không nằm trong thửa nào: không dùng",
        "en": "Parcel number label \"{label}\" lies in no parcel: not used"},
    "drawing_face_labels": {
        "vi": "Một thửa có nhiều nhãn khác nhau ({labels}): thiếu đường ranh? Không gán nhãn nào",
        "en": "One parcel holds different labels ({labels}): a boundary missing? None given"},
    "cad_layers_unused": {
        "vi": "Đã khai cad_layers nhưng bản vẽ không có cột lớp (Layer/Level): dùng mọi đối tượng",
        "en": "cad_layers is set but the drawing has no layer column (Layer/Level): every element used"},
    "drawing_elements_skipped": {
        "vi": "{count} đối tượng bản vẽ không dùng; {labels} nhãn đã dùng làm số thửa/loại đất",
        "en": "{count} drawing elements not used; {labels} labels used as parcel number or land use"},
    "encoding_declared_wrong": {
        "vi": "{file}: văn bản không đúng bảng mã khai báo (tệp .cpg?): đã đọc lại từng byte",
        "en": "{file}: text is not in the declared encoding (a .cpg file?): read again byte by byte"},
    "z_dropped": {"vi": "Bỏ tọa độ Z/M của {count} đối tượng", "en": "Z/M coordinates dropped on {count} features"},
    "legacy_encoding": {
        "vi": "Cột {column}: văn bản mã {encoding} (ví dụ \"{example}\") đã chuyển sang Unicode",
        "en": "Column {column}: {encoding} text (e.g. \"{example}\") converted to Unicode"},
    "parcel_key_repeated": {
        "vi": "{count} thửa cùng số hiệu (xã {commune})", "en": "{count} parcels share this key (commune {commune})"},
    "parcel_key_missing": {"vi": "Thửa không có số thửa: không khớp được với sổ bàn giao",
                           "en": "Parcel without a parcel number: cannot match the handover book"},
    "record_no_parcel": {
        "vi": "Không có thửa {commune} tờ {sheet}, thửa {parcel} trong bản đồ địa chính; gần nhất: {closest_vi}",
        "en": "No parcel {commune} sheet {sheet}, parcel {parcel} in the cadastral layer; closest: {closest}"},
    "record_unknown_project": {
        "vi": "Dự án \"{project}\" không có trong cấu hình (có: {known})",
        "en": "Project \"{project}\" is not in the config (known: {known})"},
    "record_commune_unknown": {
        "vi": "Xã \"{commune}\" không khớp xã nào của bản đồ địa chính: tờ {sheet}, thửa {parcel} không được tính; có thể là: {closest_vi}",
        "en": "Commune \"{commune}\" matches no commune of the parcels: sheet {sheet}, parcel {parcel} not counted; it may mean: {closest}"},
    "ambiguous_after_merger": {
        "vi": "Xã \"{commune}\" (sau 1/7/2025) gồm nhiều xã cũ có thửa tờ {sheet}, thửa {parcel}: bản ghi không được tính, cần ghi xã cũ; có thể là: {closest_vi}",
        "en": "Commune \"{commune}\" (after 1/7/2025) was made of several old communes with a parcel sheet {sheet}, parcel {parcel}: the record is not counted; write the old commune; it may be: {closest}"},
    "communes_2025_unknown": {
        "vi": "Ranh giới xã mới \"{commune}\" không có trong danh sách đơn vị hành chính từ 1/7/2025 của tỉnh: phần đất của nó được tính vào dòng (chưa rõ xã); sửa mã hoặc tên",
        "en": "New-commune boundary \"{commune}\" is not in the province's list of units from 1/7/2025: its land goes to the unknown row; fix its code or name"},
    "communes_2025_conflict": {
        "vi": "Ranh giới xã mới \"{commune}\": mã và tên chỉ hai đơn vị khác nhau; phần đất của nó được tính vào dòng (chưa rõ xã); sửa mã hoặc tên",
        "en": "New-commune boundary \"{commune}\": its code and its name name two different units; its land goes to the unknown row; fix one of them"},
    "commune_unnamed": {"vi": "{count} vùng ranh giới xã không có tên và mã: phần phạm vi GPMB trong đó được tính vào dòng (không rõ xã)",
                        "en": "{count} commune polygons have neither name nor code: the right of way in them is counted in the row (commune unknown)"},
    "communes_2025_overlap": {
        "vi": "Ranh giới xã mới \"{commune}\" chồng lên xã mới khác: phần chồng được tính cho xã có mã nhỏ hơn",
        "en": "New-commune boundary \"{commune}\" overlaps another new unit: the overlap is counted in the unit with the lower code"},
    "commune_not_the_paths": {
        "vi": "{count} đối tượng ghi xã \"{own}\" khác với xã theo đường dẫn tệp (\"{path}\"): dùng xã của đối tượng",
        "en": "{count} features give the commune \"{own}\", not the file path's (\"{path}\"): the feature's own is used"},
    "sheet_not_the_paths": {
        "vi": "{count} đối tượng ghi tờ bản đồ \"{own}\" khác với tờ theo đường dẫn tệp (\"{path}\"): dùng tờ của đối tượng",
        "en": "{count} features give the sheet \"{own}\", not the file path's (\"{path}\"): the feature's own is used"},
    "file_empty": {
        "vi": "Tệp không có đối tượng nào (tờ bản đồ chưa vẽ)",
        "en": "The file holds no feature (a sheet not drawn yet)"},
    "path_pattern_unmatched": {
        "vi": "Đường dẫn tệp không khớp path_pattern: xã và tờ bản đồ không lấy được từ đường dẫn",
        "en": "The file's path does not fit path_pattern: no commune or sheet is taken from it"},
    "file_unreadable": {
        "vi": "Không đọc được tệp: {error}; các thửa trong tệp này không được tính",
        "en": "The file cannot be read: {error}; its parcels are not counted"},
    "book_mixes_eras": {
        "vi": "Sổ ghi xã theo cả hai thời kỳ: {in_2024} bản ghi theo xã cũ (trước 1/7/2025), {in_2025} bản ghi theo xã mới; nếu cả sổ ghi theo xã mới, khai báo era = 2025 cho sổ",
        "en": "The book names communes of both eras: {in_2024} records by the old communes (before 1/7/2025), {in_2025} by the new ones; if the whole book names new communes, set era = 2025 on it"},
    "commune_other_era": {
        "vi": "Xã ghi trong sổ là mã hoặc tên xã của thời kỳ khác với sổ ({communes}): các bản ghi này không được ghép; khai báo era = 2025 (hoặc 2024) cho sổ cho đúng thời kỳ",
        "en": "Communes written in the book are codes or names of the other era ({communes}): these records are not matched; set the book's era = 2025 (or 2024) to read them in theirs"},
    "book_communes_2025": {
        "vi": "Sổ ghi {count} bản ghi theo xã mới (sau 1/7/2025); mỗi bản ghi được ghép với thửa của xã cũ có cùng tờ, thửa",
        "en": "The book names {count} records by the communes of 2025; each was matched to the parcel with its sheet and number in the old communes merged into it"},
    "record_no_commune": {
        "vi": "Dòng không ghi xã, trong khi các thửa được phân theo xã: tờ {sheet}, thửa {parcel} không được tính; có thể là: {closest_vi}",
        "en": "No commune on the row, while the parcels carry communes: sheet {sheet}, parcel {parcel} not counted; it may mean: {closest}"},
    "record_no_sheet": {
        "vi": "Dòng không ghi tờ bản đồ, trong khi các thửa có số tờ: thửa {parcel} {commune} không được tính; có thể là: {closest_vi}",
        "en": "No map sheet on the row, while the parcels carry sheets: parcel {parcel} {commune} not counted; it may mean: {closest}"},
    "record_sheet_ambiguous": {
        "vi": "Tệp có nhiều trang tính giống sổ bàn giao: dòng này không được tính; ghi tên trang cần đọc trong cấu hình (handovers = \"so.xlsx#Tên trang\")",
        "en": "The workbook has several sheets that look like the book: this row is not counted; name the sheet to read in the config (handovers = \"book.xlsx#Sheet\")"},
    "record_no_project": {
        "vi": "Dòng không ghi dự án, trong khi sổ ghi dự án ở các dòng khác: không được tính (các dự án: {known})",
        "en": "No project on the row, while the book names projects on other rows: not counted (projects: {known})"},
    "record_key_repeated": {
        "vi": "Tờ {sheet}, thửa {parcel} khớp {count} thửa cùng số hiệu (một thửa vẽ nhiều lần): áp dụng cho cả {count}",
        "en": "Sheet {sheet}, parcel {parcel} matches {count} parcels with the same whole key (one parcel drawn more than once): applied to all {count}"},
    "record_repeated": {
        "vi": "Thửa có {count} bản ghi cho dự án {project} (dòng {rows}): lấy ngày sớm nhất của mỗi bước",
        "en": "Parcel has {count} records for project {project} (rows {rows}): earliest date of each stage used"},
    "record_parcel_no_shape": {
        "vi": "Thửa tờ {sheet}, thửa {parcel} có trong bản đồ địa chính nhưng không có hình thửa: bản ghi không được tính",
        "en": "Parcel sheet {sheet}, parcel {parcel} is in the cadastral layer but has no shape: the record is not counted"},
    "record_outside_row": {
        "vi": "Thửa tờ {sheet}, thửa {parcel} không nằm trong phạm vi GPMB của dự án {project}",
        "en": "Parcel sheet {sheet}, parcel {parcel} is outside the right of way of {project}"},
    "date_unparseable": {
        "vi": "Cột {column}: không đọc được ngày \"{value}\" ({reason})",
        "en": "Column {column}: cannot read the date \"{value}\" ({reason})"},
    "unknown_status": {"vi": "Trạng thái không rõ: \"{value}\"", "en": "Unknown status: \"{value}\""},
    "unknown_flag": {"vi": "Cột {column}: giá trị \"{value}\" không phải có/không",
                     "en": "Column {column}: \"{value}\" is not yes/no"},
    "field_shadows_alias": {
        "vi": "Cấu hình gán cột \"{column}\" là {target}; mặc định cột này là {builtin}, nay không dùng làm {builtin} nữa",
        "en": "The config maps column \"{column}\" to {target}; by default it is {builtin}, which it no longer gives"},
    "footer_row": {"vi": "Dòng dưới dòng tổng cộng (nơi ký, ngày tháng): bỏ qua: {text}",
                   "en": "Row below the total row (place, date, signatures): skipped: {text}"},
    "book_column_unknown": {
        "vi": "Cột \"{column}\" không được hiểu nên không được dùng (gần nhất: {closest}); nếu cần, khai báo trong [fields.handovers]",
        "en": "Column \"{column}\" is not understood and not used (closest known: {closest}); map it under [fields.handovers] if it matters"},
    "sheet_skipped": {"vi": "Trang tính \"{sheet}\" không phải sổ bàn giao (không có cột số thửa, hoặc không có ngày và trạng thái): bỏ qua",
                      "en": "Sheet \"{sheet}\" is not the handover book (no parcel-number column, or no dates and no status): skipped"},
    "parcel_multipart": {"vi": "Thửa gồm {parts} vùng rời nhau", "en": "Parcel drawn as {parts} separate polygons"},
    "clear_land_use_unmatched": {
        "vi": "already_clear_land_use: không mảnh nào của dự án có loại đất {code} ({name}); loại đất có: {found}",
        "en": "already_clear_land_use: no piece of the project has land use {code} ({name}); land uses found: {found}"},
    "legal_area_unreadable": {
        "vi": "Diện tích pháp lý \"{value}\" không phải là số: không dùng để đối chiếu",
        "en": "Legal area \"{value}\" is not a number: not compared"},
    "legal_area_is_date": {
        "vi": "Diện tích pháp lý \"{value}\" là một ngày (bảng tính đã đổi số thành ngày?): không dùng để đối chiếu",
        "en": "Legal area \"{value}\" is a date (did a spreadsheet turn the number into one?): not compared"},
    "legal_area_negative": {
        "vi": "Diện tích pháp lý âm ({legal:,.1f} m²; diện tích vẽ {drawn:,.1f} m²): kiểm tra số liệu",
        "en": "Negative legal area ({legal:,.1f} m²; drawn {drawn:,.1f} m²): check the figure"},
    "legal_area_mismatch": {
        "vi": "Diện tích pháp lý {legal:.1f} m² khác diện tích đo trên bản đồ {drawn:.1f} m² ({pct:.1f} %)",
        "en": "Legal area {legal:.1f} m² differs from the drawn area {drawn:.1f} m² ({pct:.1f} %)"},
    "parcel_outside_communes": {"vi": "Thửa nằm ngoài mọi ranh giới xã", "en": "Parcel lies outside every commune"},
    "commune_mismatch": {"vi": "Thửa ghi xã \"{said}\" nhưng nằm trong {lies_in}",
                         "en": "Parcel says commune \"{said}\" but lies in {lies_in}"},
    "parcels_overlap": {"vi": "Hai thửa chồng lấn trong phạm vi GPMB: {area:.4f} m² (chỉ tính một lần)",
                        "en": "Two parcels overlap inside the right of way: {area:.4f} m² (counted once)"},
    "gap_in_row": {"vi": "Phần phạm vi GPMB không có thửa: {area:.2f} m² tại x={x:.1f}, y={y:.1f} (Đông, Bắc)",
                   "en": "Right of way with no parcel: {area:.2f} m² at x={x:.1f}, y={y:.1f}"},
    "gap_sliver": {"vi": "Khe hở giữa các thửa rộng {width:.3f} m ({area:.2f} m²) tại x={x:.1f}, y={y:.1f} (Đông, Bắc)",
                   "en": "Gap between parcels {width:.3f} m wide ({area:.2f} m²) at x={x:.1f}, y={y:.1f}"},
    "piece_sliver": {"vi": "Thửa chỉ chạm phạm vi GPMB một dải rộng {width:.3f} m ({area:.2f} m²): kiểm tra ranh",
                     "en": "Parcel reaches the right of way by a {width:.3f} m strip ({area:.2f} m²): check the boundary"},
    "date_after_as_of": {"vi": "Cột {column}: ngày {date} sau ngày báo cáo {as_of}: chưa tính",
                         "en": "Column {column}: {date} is after the report date {as_of}: not counted yet"},
    "dates_after_as_of": {"vi": "{count} ngày sau ngày báo cáo {as_of}: chưa tính (ví dụ {rows}, …)",
                          "en": "{count} dates after the report date {as_of}: not counted yet (e.g. {rows}, …)"},
    "date_implausible": {"vi": "Cột {column}: ngày {date} không hợp lý (gõ nhầm năm? ô trống?): không dùng",
                         "en": "Column {column}: {date} is implausible (a typo in the year? an empty cell?): not used"},
    "stages_out_of_order": {"vi": "Các bước sai thứ tự: {first} {first_date} nhưng {then} {then_date}",
                            "en": "Stages out of order: {first} {first_date} but {then} {then_date}"},
    "records_unaccounted": {
        "vi": "Đếm bản ghi không khớp: đọc {read}, dùng {used}, liệt kê {listed} — hãy báo lỗi phần mềm",
        "en": "Records do not add up: {read} read, {used} used, {listed} listed — please report this bug"},
    "total_row": {"vi": "Dòng tổng bỏ qua: {text}", "en": "Total row skipped: {text}"},
    "section_row": {"vi": "Dòng tiêu đề nhóm: các dòng sau thuộc {commune}",
                    "en": "Section row: the rows below belong to {commune}"},
    "record_no_parcel_number": {"vi": "Dòng không có số thửa: {text}",
                                "en": "Row without a parcel number: {text}"},
    "row_empty": {"vi": "Phạm vi GPMB của dự án {project} không có diện tích",
                  "en": "The right of way of {project} has no area"},
    "amount_unit_assumed": {
        "vi": "Cột \"{column}\" không ghi đơn vị: số tiền được hiểu là đồng (ghi \"(triệu đồng)\" nếu là triệu)",
        "en": "Column \"{column}\" gives no unit: amounts are read as đồng (write \"(triệu đồng)\" for millions)"},
    "amount_unreadable": {"vi": "Cột {column}: không đọc được \"{value}\" ({reason}): không tính",
                          "en": "Column {column}: cannot read \"{value}\" ({reason}): not counted"},
    "parcel_list_sheet_differs": {
        "vi": "Ô số thửa \"{parcels}\" ghi tờ khác cột tờ bản đồ ({sheet}): không tách, không tính",
        "en": "The parcel cell \"{parcels}\" names another sheet than the sheet column ({sheet}): not split, not counted"},
    "household_by_owner": {
        "vi": "Sổ không có mã hộ: {count} bản ghi được gộp hộ theo tên chủ sử dụng trong từng xã (hai hộ trùng tên sẽ bị gộp)",
        "en": "The book has no household id: {count} records are grouped by owner name within each commune (two households of one name would be one)"},
    "household_by_row": {
        "vi": "Sổ không có mã hộ và tên chủ: {count} bản ghi, mỗi dòng được tính là một hộ",
        "en": "The book has no household id and no owner: {count} records, each row counted as a household"},
    "household_paid_over_approved": {
        "vi": "Hộ đã nhận {paid:,} đồng, nhiều hơn số được duyệt {approved:,} đồng",
        "en": "The household was paid {paid:,} đồng, more than the {approved:,} đồng approved"},
    "household_handed_over_unpaid": {
        "vi": "Hộ đã bàn giao mặt bằng nhưng có thửa chưa có ngày chi trả",
        "en": "The household handed over its land with a parcel not yet dated as paid"},
    "household_step_undated": {
        "vi": "Hộ có ngày {step} nhưng thiếu ngày {earlier}: số hộ các bước sau lớn hơn bước trước",
        "en": "The household has a {step} but no {earlier}: the later step counts more households than the earlier"},
    "resettlement_lots_without_need": {
        "vi": "Hộ được giao {lots} lô tái định cư nhưng không thuộc diện tái định cư",
        "en": "The household was given {lots} resettlement lots but is not marked as to resettle"},
    "steps_out_of_order": {"vi": "Các bước sai thứ tự: {after} {after_date} nhưng {step} {step_date}",
                           "en": "Steps out of order: {after} {after_date} but {step} {step_date}"},
    "step_limit_unanchored": {
        "vi": "{step} có thời hạn tính từ ngày {after}, nhưng sổ không ghi ngày đó: bước này không được đánh giá",
        "en": "{step} has a limit counted from {after}, which the book does not date: the step is not judged"},
    "step_before_rule": {
        "vi": "{count} bản ghi: {step} tính từ trước ngày {in_force}, khi {source} chưa có hiệu lực: không đánh giá (ví dụ {rows})",
        "en": "{count} records: {step} counted from before {in_force}, when {source} was not in force: not judged (e.g. {rows})"},
    "complaint_resolved_before_received": {
        "vi": "Đơn được giải quyết trước ngày nhận đơn", "en": "The complaint was resolved before it was received"},
}  # fmt: skip


def qa_message(check: str, params: dict[str, Any], lang: str = "vi") -> str:
    """Word a QA finding in the report language."""
    template = QA_MESSAGES.get(check, {}).get(lang)
    # steps of the procedure are named by their words
    params = {k: word(f"step_{v}", lang) if k in ("step", "after") else v
              for k, v in params.items()}  # fmt: skip
    if template is None:
        return f"{check}: " + ", ".join(f"{k}={v}" for k, v in params.items())
    try:
        return template.format(**params)
    except (KeyError, ValueError, IndexError):
        return f"{check}: " + ", ".join(f"{k}={v}" for k, v in params.items())


def quarter_label(quarter: str, lang: str = "vi") -> str:
    """``2024Q3`` as people write it: ``Quý 3/2024`` (``Q3/2024`` in English)."""
    year, q = quarter.split("Q")
    return word("quarter_label", lang).format(q=q, year=year)


def heading(column: str, lang: str = "vi") -> str:
    """Human heading of a column."""
    return HEADINGS.get(lang, HEADINGS["vi"]).get(column, column)


def word(key: str, lang: str = "vi") -> str:
    """A fixed word or phrase of the reports."""
    return WORDS.get(lang, WORDS["vi"]).get(key, key)


def stage_name(stage: str, lang: str = "vi") -> str:
    """Human name of a stage."""
    return STAGE_NAMES.get(lang, STAGE_NAMES["vi"]).get(stage, stage)


def format_area(m2: float, lang: str = "vi") -> str:
    """Land as a key says it: hectares to 2 decimals, or square metres under 0.005 ha.

    Examples
    --------
    >>> format_area(12_345.6), format_area(10.4), format_area(12_345.6, "en")
    ('1,23 ha', '10 m²', '1.23 ha')
    """
    if m2 >= 50:
        return f"{format_number(m2 / 1e4, 2, lang)} ha"
    return f"{format_number(m2, 0, lang)} m²"


def format_pct(pct: float, lang: str = "vi", decimals: int = 1) -> str:
    """A cleared % as people read it, never shown above what it is: 99.99 reads 99,9, not 100,0.

    Examples
    --------
    >>> format_pct(99.99999), format_pct(57.3), format_pct(100.0, "en"), format_pct(float("nan"))
    ('99,9', '57,3', '100.0', '—')
    """
    if pct is None or math.isnan(pct):
        return "—"
    return format_number(pct_shown(pct, decimals), decimals, lang)


def pct_shown(pct: float, decimals: int = 1) -> float:
    """A % rounded for people, never above what it is (99.96 → 99.9; 57.3 stays 57.3).

    Examples
    --------
    >>> pct_shown(99.96), pct_shown(57.3), pct_shown(69.99, 0)
    (99.9, 57.3, 69.0)
    """
    if math.isnan(pct):
        return pct
    shown = round(float(pct), decimals)
    if shown - float(pct) > 1e-9:  # rounded up: one step down, so 100 means all of it
        shown = round(shown - 10.0**-decimals, decimals)
    return shown


def format_number(value: Any, decimals: int, lang: str = "vi") -> str:
    """A number as people read it: ``1.234,56`` in Vietnamese, ``1,234.56`` in English.

    Examples
    --------
    >>> format_number(1234.567, 2), format_number(1234.567, 2, "en"), format_number(99.25, 1)
    ('1.234,57', '1,234.57', '99,2')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{float(value):,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
