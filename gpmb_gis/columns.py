"""Column names and stage names, defined once and used everywhere."""

from __future__ import annotations

__all__ = [
    "AFFECTED_M2",
    "ALREADY_CLEAR",
    "APPRAISAL_DATE",
    "APPRAISAL_SUBMITTED_DATE",
    "AREA_M2",
    "AS_OF",
    "BLOCKER_COLUMNS",
    "BOOK",
    "CHAINAGE_COLUMNS",
    "CHECK",
    "CLEARED_M2",
    "CLEARED_PCT",
    "COMMUNE",
    "COMMUNE_2024",
    "COMMUNE_2024_CODE",
    "COMMUNE_2025",
    "COMMUNE_2025_CODE",
    "COMMUNE_2025_COLUMNS",
    "COMMUNE_CODE",
    "COMMUNE_COLUMNS",
    "COMPENSATION_APPROVED_VND",
    "COMPENSATION_PAID_VND",
    "COMPLAINT",
    "COMPLAINT_DATE",
    "COMPLAINT_RESOLVED_DATE",
    "COUNT_COLUMNS",
    "CROPS_APPRAISAL_DATE",
    "DATE_COLUMNS",
    "ENFORCED_INVENTORY_DATE",
    "ENFORCED_RECOVERY_DATE",
    "ENFORCEMENT",
    "ENFORCEMENT_DECISION_DATE",
    "FEATURE",
    "FIELD_TARGETS",
    "GRAVES_MOVED",
    "GRAVES_TO_MOVE",
    "HANDED_OVER",
    "HANDOVER_COLUMNS",
    "HANDOVER_DATE",
    "HOUSEHOLD",
    "HOUSEHOLDS_AFFECTED",
    "HOUSEHOLD_DATE_COLUMNS",
    "HOUSEHOLD_FIGURES",
    "HOUSEHOLD_NUMBER",
    "HOUSEHOLD_RECORD_COLUMNS",
    "INFRASTRUCTURE_MOVED",
    "INFRASTRUCTURE_TO_MOVE",
    "INVENTORIED",
    "INVENTORY_DATE",
    "KEY_COMMUNE",
    "KEY_HOUSEHOLD",
    "KEY_PARCEL",
    "KEY_SHEET",
    "LAND_USE",
    "LAYER",
    "LEGAL_AREA_M2",
    "MESSAGE",
    "MILESTONE_COLUMNS",
    "MONEY_COLUMNS",
    "NOTE",
    "NOTICE_DATE",
    "NOT_STARTED",
    "OWNER",
    "PAID",
    "PAID_DATE",
    "PARCEL",
    "PARCELS_AFFECTED",
    "PARCELS_CLEARED",
    "PARCEL_INDEX",
    "PLAN_APPROVED",
    "PLAN_APPROVED_DATE",
    "POSTING_DATE",
    "PROJECT",
    "PROJECT_COLUMNS",
    "PROJECT_NAME",
    "QA_COLUMNS",
    "RECORD_INDEX",
    "RECORD_LABEL",
    "RECOVERY_DECISION_DATE",
    "REQUIRED_M2",
    "RESETTLEMENT",
    "RESETTLEMENT_DATE",
    "RESETTLEMENT_LOTS",
    "SEVERITY",
    "SHEET",
    "SITE",
    "SOURCE_FILE",
    "SOURCE_ROW",
    "SOURCE_SHEET",
    "STAGE",
    "STAGES",
    "STAGE_DATES",
    "STATUS",
    "STEP_DATE_COLUMNS",
    "STRUCTURES_APPRAISAL_DATE",
    "TIMESERIES_COLUMNS",
    "UNMAPPED_M2",
]


# keys
PROJECT = "project"
PROJECT_NAME = "project_name"
COMMUNE = "commune"
COMMUNE_CODE = "commune_code"
#: The unit of 2025 a commune of 2024 became part of (``docs/communes.md``).
COMMUNE_2025 = "commune_2025"
#: A commune of the run in the era of 2024, when the report is written in that of 2025.
COMMUNE_2024 = "commune_2024"
COMMUNE_2024_CODE = "commune_2024_code"
COMMUNE_2025_CODE = "commune_2025_code"
SHEET = "sheet"
PARCEL = "parcel"
LAND_USE = "land_use"
LEGAL_AREA_M2 = "legal_area_m2"
OWNER = "owner"
NOTE = "note"
SITE = "site"

# handover book
INVENTORY_DATE = "inventory_date"
PLAN_APPROVED_DATE = "plan_approved_date"
PAID_DATE = "paid_date"
HANDOVER_DATE = "handover_date"
STATUS = "status"
ENFORCEMENT = "enforcement"
COMPLAINT = "complaint"
# a record's household, money, resettlement, graves, complaints and enforcement
HOUSEHOLD = "household"
#: A household's number in its commune's section of the book ("STT hộ"), not unique beyond it.
HOUSEHOLD_NUMBER = "household_number"
COMPENSATION_APPROVED_VND = "compensation_approved_vnd"
COMPENSATION_PAID_VND = "compensation_paid_vnd"
RESETTLEMENT = "resettlement"
RESETTLEMENT_LOTS = "resettlement_lots"
RESETTLEMENT_DATE = "resettlement_date"
GRAVES_TO_MOVE = "graves_to_move"
GRAVES_MOVED = "graves_moved"
INFRASTRUCTURE_TO_MOVE = "infrastructure_to_move"
INFRASTRUCTURE_MOVED = "infrastructure_moved"
COMPLAINT_DATE = "complaint_date"
COMPLAINT_RESOLVED_DATE = "complaint_resolved_date"
ENFORCED_INVENTORY_DATE = "enforced_inventory_date"
ENFORCED_RECOVERY_DATE = "enforced_recovery_date"
# the dates of the procedure's steps the stages do not carry (:mod:`gpmb_gis.procedure`)
NOTICE_DATE = "notice_date"
POSTING_DATE = "posting_date"
APPRAISAL_SUBMITTED_DATE = "appraisal_submitted_date"
APPRAISAL_DATE = "appraisal_date"
#: Books that split the appraisal by component: crops and trees, houses and structures.
CROPS_APPRAISAL_DATE = "crops_appraisal_date"
STRUCTURES_APPRAISAL_DATE = "structures_appraisal_date"
RECOVERY_DECISION_DATE = "recovery_decision_date"
ENFORCEMENT_DECISION_DATE = "enforcement_decision_date"
STEP_DATE_COLUMNS: tuple[str, ...] = (NOTICE_DATE, POSTING_DATE, APPRAISAL_SUBMITTED_DATE,
                                      CROPS_APPRAISAL_DATE, STRUCTURES_APPRAISAL_DATE,
                                      APPRAISAL_DATE, RECOVERY_DECISION_DATE,
                                      ENFORCEMENT_DECISION_DATE)  # fmt: skip
#: Money columns (whole đồng), counts, and the dates of the household's other steps.
MONEY_COLUMNS: tuple[str, ...] = (COMPENSATION_APPROVED_VND, COMPENSATION_PAID_VND)
COUNT_COLUMNS: tuple[str, ...] = (RESETTLEMENT_LOTS, GRAVES_TO_MOVE, GRAVES_MOVED,
                                  INFRASTRUCTURE_TO_MOVE, INFRASTRUCTURE_MOVED)  # fmt: skip
HOUSEHOLD_DATE_COLUMNS: tuple[str, ...] = (RESETTLEMENT_DATE, COMPLAINT_DATE,
                                           COMPLAINT_RESOLVED_DATE, ENFORCED_INVENTORY_DATE,
                                           ENFORCED_RECOVERY_DATE)  # fmt: skip
#: The book's columns of households: any of them makes the tables count households.
HOUSEHOLD_RECORD_COLUMNS: tuple[str, ...] = (HOUSEHOLD, HOUSEHOLD_NUMBER, *MONEY_COLUMNS,
                                             RESETTLEMENT,
                                             *COUNT_COLUMNS, *HOUSEHOLD_DATE_COLUMNS)  # fmt: skip
#: A record's household as the tables count it (its id, else its owner, in its commune).
KEY_HOUSEHOLD = "_key_household"
SOURCE_ROW = "source_row"
SOURCE_SHEET = "source_sheet"
RECORD_LABEL = "record_label"
#: The file of a many-file layer a feature was read from, relative to the config.
SOURCE_FILE = "source_file"
#: The handover book a record was read from (its label: ``file.xlsx#sheet``).
BOOK = "book"

#: The names a ``[fields.<layer>]`` table of the config may map a column to, per layer.
FIELD_TARGETS: dict[str, tuple[str, ...]] = {
    "parcels": (COMMUNE, SHEET, PARCEL, LAND_USE, LEGAL_AREA_M2, OWNER),
    "communes": (COMMUNE_CODE, COMMUNE),
    "communes_2025": (COMMUNE_CODE, COMMUNE),
    "handovers": (PROJECT, COMMUNE, SHEET, PARCEL, INVENTORY_DATE, PLAN_APPROVED_DATE,
                  PAID_DATE, HANDOVER_DATE, STATUS, ENFORCEMENT, COMPLAINT, OWNER, NOTE,
                  LAND_USE, *HOUSEHOLD_RECORD_COLUMNS, *STEP_DATE_COLUMNS),
}  # fmt: skip

# internal join keys (normalised text)
KEY_COMMUNE = "_key_commune"
KEY_SHEET = "_key_sheet"
KEY_PARCEL = "_key_parcel"
PARCEL_INDEX = "parcel_index"
RECORD_INDEX = "record_index"

# measures
REQUIRED_M2 = "required_m2"
CLEARED_M2 = "cleared_m2"
CLEARED_PCT = "cleared_pct"
UNMAPPED_M2 = "unmapped_m2"
AFFECTED_M2 = "affected_m2"
PARCELS_AFFECTED = "parcels_affected"
PARCELS_CLEARED = "parcels_cleared"
AS_OF = "as_of"
STAGE = "stage"

# stages, in order
NOT_STARTED = "not_started"
INVENTORIED = "inventoried"
PLAN_APPROVED = "plan_approved"
PAID = "paid"
HANDED_OVER = "handed_over"
STAGES: tuple[str, ...] = (NOT_STARTED, INVENTORIED, PLAN_APPROVED, PAID, HANDED_OVER)
STAGE_DATES: dict[str, str] = {
    INVENTORIED: INVENTORY_DATE,
    PLAN_APPROVED: PLAN_APPROVED_DATE,
    PAID: PAID_DATE,
    HANDED_OVER: HANDOVER_DATE,
}
#: The step dates of a handover record, in the order of the stages.
DATE_COLUMNS: tuple[str, ...] = tuple(STAGE_DATES.values())
#: Stage reported for a piece whose land the state already holds (``already_clear_land_use``).
ALREADY_CLEAR = "already_clear"

# QA table
SEVERITY = "severity"
CHECK = "check"
LAYER = "layer"
FEATURE = "feature"
MESSAGE = "message"
AREA_M2 = "area_m2"
QA_COLUMNS: tuple[str, ...] = (SEVERITY, CHECK, LAYER, FEATURE, MESSAGE, AREA_M2)

# the tables of DIR/tables/, their columns in order
TIMESERIES_COLUMNS = [PROJECT, "date", CLEARED_M2, CLEARED_PCT, "scope",
                      COMMUNE_CODE, COMMUNE, REQUIRED_M2, "inventoried_m2",
                      "plan_approved_m2", "paid_m2"]  # fmt: skip
BLOCKER_COLUMNS = [PROJECT, "kind", "from_m", "to_m", "label", "length_m", "uncleared_m2",
                   "parcels", "commune", "sheet", "parcel", "side", "completes_m",
                   "waiting_step", "waiting_agency", "overdue_days"]  # fmt: skip
CHAINAGE_COLUMNS = [PROJECT, "from_m", "to_m", "from_label", "to_label", "segment",
                    "length_m", REQUIRED_M2, CLEARED_M2, CLEARED_PCT, UNMAPPED_M2,
                    "inventoried_m2", "plan_approved_m2", "paid_m2", AS_OF]  # fmt: skip
#: The measures of an area, in the project and commune tables.
_MEASURES = [REQUIRED_M2, CLEARED_M2, CLEARED_PCT, UNMAPPED_M2, PARCELS_AFFECTED,
             PARCELS_CLEARED]  # fmt: skip
PROJECT_COLUMNS = [PROJECT, PROJECT_NAME, *_MEASURES, AS_OF]
COMMUNE_COLUMNS = [PROJECT, COMMUNE_CODE, COMMUNE, *_MEASURES, "inventoried_m2",
                   "plan_approved_m2", "paid_m2", AS_OF]  # fmt: skip
MILESTONE_COLUMNS = [
    PROJECT,
    "scope",
    "label",
    "date",
    "target_pct",
    "actual_pct",
    "status",
    "forecast_date",
    "reached_date",
    "needed_pct_per_week",
    "needed_ha_per_week",
    "recent_pct_per_week",
    "recent_ha_per_week",
]
#: The handover records' columns, as the book reader gives them.
HANDOVER_COLUMNS: tuple[str, ...] = (
    SOURCE_ROW, SOURCE_SHEET, RECORD_LABEL, PROJECT, COMMUNE, SHEET, PARCEL,
    *DATE_COLUMNS, STATUS, "status_stage", ENFORCEMENT, COMPLAINT, OWNER, NOTE, LAND_USE,
    *HOUSEHOLD_RECORD_COLUMNS, *STEP_DATE_COLUMNS,
)  # fmt: skip
#: The households' columns of the project and commune tables (when the book has any).
HOUSEHOLDS_AFFECTED = "households_affected"
HOUSEHOLD_FIGURES: tuple[str, ...] = (
    HOUSEHOLDS_AFFECTED, "households_inventoried", "households_plan_approved",
    "households_paid", "households_handed_over", COMPENSATION_APPROVED_VND,
    COMPENSATION_PAID_VND, "resettlement_households", "resettlement_lots_allocated",
    GRAVES_TO_MOVE, GRAVES_MOVED, INFRASTRUCTURE_TO_MOVE, INFRASTRUCTURE_MOVED,
    "complaints_received", "complaints_resolved", "complaints_open", "households_enforced",
)  # fmt: skip
COMMUNE_2025_COLUMNS = [PROJECT, COMMUNE_2025_CODE, COMMUNE_2025, "old_communes", *_MEASURES,
                        "inventoried_m2", "plan_approved_m2", "paid_m2", AS_OF]  # fmt: skip
