"""Headlines say what they rest on: records not placed, headings not understood, sheets.

A book the package cannot place as a whole stops the run with one sentence (exit 2); with
``--allow-unplaced`` the run reports, and every headline carries the doubt. The bundled sample
is the office's book as it should be; each test spoils one copy of it the way real books are.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from helpers import SAMPLE_CONFIG, rect, write_book_csv, write_config, write_layer

from gpmb_gis import compute_progress
from gpmb_gis._errors import InputError
from gpmb_gis.cli import main
from gpmb_gis.unplaced import Unplaced, check_unplaced

BOOK = "so_theo_doi_ban_giao.xlsx"
HEADLINE = {"QL4B": 99.3, "CT_HNCL": 88.2, "CCN_HT1": 60.9, "CCN_HT2": 36.0, "TSCA": 78.1}


@pytest.fixture(scope="module")
def truth():
    """The sample's figures: the book as it should be."""
    result = compute_progress(SAMPLE_CONFIG)
    return result.progress_by_project.set_index("project")


@pytest.fixture
def sample(tmp_path):
    """A copy of the sample folder, its book to spoil."""
    folder = tmp_path / "cao_loc"
    shutil.copytree(SAMPLE_CONFIG.parent, folder)
    return folder


def _spoil(folder, change) -> None:
    book = openpyxl.load_workbook(folder / BOOK)
    change(book)
    book.save(folder / BOOK)
    if change is _old_copy:  # a config naming the workbook only: every sheet is looked at
        config = folder / "gpmb.toml"
        text = config.read_text(encoding="utf-8")
        start, end = text.index("handovers = ["), text.index("]\n", text.index("handovers = ["))
        config.write_text(text[:start] + f'handovers = "{BOOK}"' + text[end + 1 :], "utf-8")


def _heading(book, old: str, new: str) -> None:
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=1, max_row=10):
        for cell in row:
            if cell.value == old:
                cell.value = new
                return
    raise AssertionError(f"no heading {old!r}")


def _communes_renamed(name: str):
    def spoil(book) -> None:
        """Commune cells and section rows all name one commune, which no parcel carries."""
        for row in book.worksheets[0].iter_rows(min_row=9):
            first = row[0].value
            if isinstance(first, str) and ". " in first:  # "I. Xã Hợp Thành"
                row[0].value = first.split(". ")[0] + f". {name}"
            elif row[2].value:
                row[2].value = name

    return spoil


def _old_copy(book) -> None:
    """An older copy of the sheet beside it: half its handover dates not yet written.

    The config then names the workbook, not its sheets (see :func:`_spoil`).
    """
    old = book.copy_worksheet(book.worksheets[0])
    old.title = "Tiến độ (bản cũ)"
    for row in old.iter_rows(min_row=9):
        if row[0].row % 2:
            row[10].value = None


SPOILED = {
    # a unit of 2025: only the records of its four old communes can be placed through it
    "communes renamed": _communes_renamed("Phường Kỳ Lừa"),
    "communes renamed to none": _communes_renamed("Xã Thiên Hà"),
    "sheet heading unknown": lambda b: _heading(b, "Tờ bản đồ", "Tờ số hiệu"),
    "an older copy of the sheet": _old_copy,
}


def test_sample_headline_unchanged(truth):
    assert truth.cleared_pct.round(1).to_dict() == HEADLINE
    result = compute_progress(SAMPLE_CONFIG)
    assert check_unplaced(result).records == 1  # its one typo: 0.03 % of the book


@pytest.mark.parametrize("spoil", SPOILED)
def test_spoiled_book_stops_with_a_sentence(sample, capsys, spoil):
    _spoil(sample, SPOILED[spoil])
    code = main(["report", "--config", str(sample / "gpmb.toml"), "--out", str(sample / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("gpmb: error: "), err
    assert "internal" not in err[0] and " — " in err[0]
    assert not (sample / "o" / "index.html").exists()


@pytest.mark.parametrize("spoil", SPOILED)
def test_spoiled_book_allowed_is_never_above_the_truth_and_says_so(sample, truth, spoil):
    _spoil(sample, SPOILED[spoil])
    result = compute_progress(sample / "gpmb.toml", allow_unplaced=True)
    got = result.progress_by_project.set_index("project").cleared_m2
    assert (got <= truth.cleared_m2 + 1e-6).all()
    assert (got < truth.cleared_m2 - 1.0).any()  # the spoiled book lost something
    doubt = result.unplaced()
    assert doubt.records > (200 if spoil == "communes renamed" else 1000) and doubt.area_m2 > 0
    assert "could not be placed" in doubt.sentence("en")
    assert "could not be placed" in repr(result)


def test_allowed_run_puts_the_doubt_beside_every_headline(tmp_path, capsys):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 40, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "01", "SHBANDO": 1, "SOTHUA": k, "geometry": rect(10 * (k - 1), 0, 10 * k, 10)}
        for k in (1, 2, 3, 4)])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": "01" if k < 3 else "Xã Đồng Đăng", "Tờ bản đồ": 1, "Số thửa": k,
         "Ngày bàn giao": "01/03/2024"} for k in (1, 2, 3, 4)])  # fmt: skip
    config = write_config(tmp_path, 'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
                          'parcels = "parcels.gpkg"\nhandovers = "book.csv"\n[[projects]]\n'
                          'id = "X"\nrow = "row.gpkg"\n')  # fmt: skip
    out = tmp_path / "out"
    assert main(["report", "--config", str(config), "--out", str(out)]) == 2
    assert "2 of 4 records could not be placed" in capsys.readouterr().err
    assert main(["report", "--config", str(config), "--out", str(out), "--allow-unplaced"]) == 0
    said = capsys.readouterr().out
    assert "warning: 2 of 4 records could not be placed or read: up to 0.02 ha not counted" in said
    assert "X: 50.0 %" in said
    index = (out / "index.html").read_text(encoding="utf-8")
    banner = (
        "2 trong 4 bản ghi không ghép được với thửa nào hoặc không đọc được: có thể tới "
        "0,02 ha chưa được tính"
    )
    assert "class='doubt'" in index and banner in index
    assert index.index(banner) < index.index("Tiến độ theo dự án")  # above the headline
    assert banner in (out / "maps" / "X.html").read_text(encoding="utf-8")


def test_limit_is_a_setting(tmp_path):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 10, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "01", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 10, 10)}])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [
        {"Xã": "01", "Tờ bản đồ": 1, "Số thửa": k, "Ngày bàn giao": "01/03/2024"}
        for k in (1, 2)])  # fmt: skip
    text = ('province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\nparcels = "parcels.gpkg"\n'
            'handovers = "book.csv"\n[[projects]]\nid = "X"\nrow = "row.gpkg"\n')  # fmt: skip
    with pytest.raises(InputError, match=r"50\.0 % of the book, over the limit of 2 %"):
        check_unplaced(compute_progress(write_config(tmp_path, text)))
    loose = write_config(tmp_path, text + "[qa]\nmax_unplaced_records_pct = 60\n")
    assert check_unplaced(compute_progress(loose)) == Unplaced(1, 2, 1, 0.0)


def _book_with(tmp_path, headings: dict[str, object]):
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 10, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "01", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 10, 10)}])  # fmt: skip
    write_book_csv(tmp_path / "book.csv", [{"Xã": "01", "Tờ bản đồ": 1, "Số thửa": 1,
                                           **headings}])  # fmt: skip
    return write_config(tmp_path, 'province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\n'
                        'parcels = "parcels.gpkg"\nhandovers = "book.csv"\n[[projects]]\n'
                        'id = "X"\nrow = "row.gpkg"\n')  # fmt: skip


def test_heading_like_a_missing_date_column_is_refused(tmp_path):
    config = _book_with(tmp_path, {"Ngày kiểm đếm": "01/02/2024",
                                   "Ngày bàn giao (thực tế)": "01/03/2024"})  # fmt: skip
    with pytest.raises(InputError, match=r"'Ngày bàn giao \(thực tế\)' is not understood; it "
                       r"looks like 'Ngày bàn giao' \(handover_date\)"):  # fmt: skip
        compute_progress(config)
    allowed = compute_progress(config, allow_unplaced=True)
    assert allowed.progress_by_project.iloc[0].cleared_m2 == 0.0  # not guessed
    assert "book_column_unknown" in set(allowed.qa_issues.check)


def test_known_office_headings_are_understood(tmp_path):
    config = _book_with(tmp_path, {"Ngày bàn giao MB": "01/03/2024"})
    assert compute_progress(config).progress_by_project.iloc[0].cleared_pct == 100.0


def test_unknown_headings_are_listed_with_the_closest_known(tmp_path):
    config = _book_with(tmp_path, {"STT": 1, "Ngày bàn giao": "01/03/2024",
                                   "Ghi chu them": "x", "Diện tích thu hồi": 5})  # fmt: skip
    qa = compute_progress(config).qa_issues
    unknown = qa[qa.check == "book_column_unknown"].message.tolist()
    assert len(unknown) == 2  # not STT, the row number
    assert any("Ghi chu them" in m and "Ghi chú (note)" in m for m in unknown)


def test_book_without_date_or_status_is_refused_naming_its_headings(tmp_path):
    config = _book_with(tmp_path, {"Ngày BG thực tế": "01/03/2024"})
    with pytest.raises(InputError, match=r"no column of handover dates or status.*Ngày BG"):
        compute_progress(config)


def test_a_sheet_per_project_is_one_book(tmp_path):
    def fill(book):
        for title in ("X", "Y"):
            sheet = book.create_sheet(title)
            sheet.append(["Xã", "Tờ bản đồ", "Số thửa", "Ngày bàn giao"])
            sheet.append(["01", 1, 1, "01/03/2024" if title == "X" else None])
        del book["Sheet"]

    config = _workbook_case(tmp_path, fill, projects=("X", "Y"))
    table = compute_progress(config).progress_by_project.set_index("project").cleared_pct
    assert table.to_dict() == {"X": 100.0, "Y": 0.0}


def test_the_doubt_is_under_the_headline_table_of_the_workbook(tmp_path):
    import openpyxl

    from gpmb_gis import write_report

    config = _book_with(tmp_path, {"Ngày bàn giao": "01/03/2024"})
    (tmp_path / "book.csv").write_text("Xã,Tờ bản đồ,Số thửa,Ngày bàn giao\n01,1,1,01/03/2024\n"
                                       "01,1,7,01/03/2024\n", encoding="utf-8")  # fmt: skip
    result = compute_progress(config)
    write_report(result, tmp_path / "out", maps=False)
    sheet = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx")["Tiến độ theo dự án"]
    assert "1 trong 2 bản ghi không ghép được" in sheet.cell(sheet.max_row, 1).value
    assert sheet.cell(sheet.max_row - 2, 1).value == "Tổng cộng"


def test_a_dated_row_without_a_parcel_number_counts_as_unplaced(tmp_path):
    config = _book_with(tmp_path, {"Ngày bàn giao": "01/03/2024"})
    (tmp_path / "book.csv").write_text(
        "Xã,Tờ bản đồ,Số thửa,Ngày bàn giao\n01,1,1,01/03/2024\n01,1,,01/03/2024\n01,2,,\n",
        encoding="utf-8")  # fmt: skip
    doubt = compute_progress(config).unplaced()
    assert (doubt.records, doubt.records_read) == (1, 3)  # the blank row says nothing


def test_an_unknown_date_heading_near_a_missing_date_column_is_refused(tmp_path):
    config = _book_with(tmp_path, {"Trạng thái": "Đã kiểm đếm", "Ngày giao đất": "01/03/2024"})
    with pytest.raises(InputError, match="'Ngày giao đất' is not understood"):
        compute_progress(config)
    (tmp_path / "x").mkdir()
    later = _book_with(tmp_path / "x", {"Ngày bàn giao": "01/03/2024", "Ngày nhận đơn": "1/2/24"})
    assert compute_progress(later).progress_by_project.iloc[0].cleared_pct == 100.0


def test_a_project_name_near_another_is_not_that_project(tmp_path):
    from gpmb_gis._text import fold
    from gpmb_gis.join import match_project

    config = compute_progress(SAMPLE_CONFIG).config
    by_key = {fold(p.name): p.id for p in config.projects} | {
        fold(p.id): p.id for p in config.projects
    }
    for other in ("Cải tạo nâng cấp QL1A", "Cụm công nghiệp Hợp Thành 3",
                  "Cụm công nghiệp Hợp Thành",  # both clusters: which?
                  "Cao tốc Hữu Nghị – Chi Lăng đoạn qua huyện Văn Lãng"):  # fmt: skip
        assert match_project(other, by_key) is None, other
    assert match_project("Dự án QL4B", by_key) == "QL4B"
    assert match_project("Cụm công nghiệp Hợp Thành 2", by_key) == "CCN_HT2"


def test_one_odd_character_does_not_make_the_book_legacy_text(sample, truth):
    _spoil(sample, lambda b: setattr(b.worksheets[0].cell(20, 15), "value", "Km3+700 – Km18 ±5"))
    result = compute_progress(sample / "gpmb.toml")
    assert "legacy_encoding" not in set(result.qa_issues.check)
    got = result.progress_by_project.set_index("project").cleared_m2
    assert got.to_dict() == pytest.approx(truth.cleared_m2.to_dict())


def test_two_columns_under_one_merged_date_heading_are_refused(tmp_path):
    def fill(book):
        sheet = book.active
        sheet.append(["Xã", "Tờ bản đồ", "Số thửa", "Ngày bàn giao", None])
        sheet.append([None, None, None, "Kế hoạch", "Thực tế"])
        sheet.merge_cells("D1:E1")
        sheet.append(["01", 1, 1, "01/03/2024", None])

    with pytest.raises(InputError, match="all read as handover_date"):
        compute_progress(_workbook_case(tmp_path, fill))


def test_a_summary_sheet_without_dates_beside_the_book_is_skipped(tmp_path):
    def fill(book):
        book.active.title = "Tổng hợp"
        book.active.append(["Dự án", "Xã", "Tờ bản đồ", "Số thửa"])
        book.active.append(["X", "01", 1, 1])
        sheet = book.create_sheet("Tiến độ")
        sheet.append(["Xã", "Tờ bản đồ", "Số thửa", "Ngày bàn giao"])
        sheet.append(["01", 1, 1, "01/03/2024"])

    result = compute_progress(_workbook_case(tmp_path, fill))
    assert result.progress_by_project.iloc[0].cleared_pct == 100.0
    assert "sheet_skipped" in set(result.qa_issues.check)


def _workbook_case(tmp_path, fill, projects: tuple[str, ...] = ("X",)):
    """One parcel (commune 01, sheet 1, parcel 1) across the ROW; ``fill(book)`` writes the book."""
    write_layer(tmp_path / "row.gpkg", [{"geometry": rect(0, 0, 10, 10)}])
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "01", "SHBANDO": 1, "SOTHUA": 1, "geometry": rect(0, 0, 10, 10)}])  # fmt: skip
    book = openpyxl.Workbook()
    fill(book)
    book.save(tmp_path / "book.xlsx")
    text = ('province = "Lạng Sơn"\nas_of = 2024-06-30\n[layers]\nparcels = "parcels.gpkg"\n'
            'handovers = "book.xlsx"\n')  # fmt: skip
    text += "".join(f'[[projects]]\nid = "{pid}"\nrow = "row.gpkg"\n' for pid in projects)
    return write_config(tmp_path, text)
