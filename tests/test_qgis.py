"""``gpmb.gpkg``: the layers of DESIGN §9, their figures traced to the tables, their styles in
``layer_styles`` naming only their own fields, and the file opened and drawn by QGIS itself.

The QGIS part runs Debian's PyQGIS (``python3-qgis``, installed by ``.ci/run``) in the system
Python, off screen.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from helpers import hand_case, rect, write_layer

from gpmb_gis import columns as C
from gpmb_gis import compute_progress
from gpmb_gis.qgis_layers import LAYERS, write_gpkg
from gpmb_gis.qgis_styles import layer_styles, qml

SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def sample_gpkg(_sample_result, tmp_path_factory):
    return write_gpkg(_sample_result, tmp_path_factory.mktemp("gpkg") / "gpmb.gpkg")


def _styles(path: Path) -> dict[str, tuple[str, str, int]]:
    with sqlite3.connect(path) as con:
        rows = con.execute(
            "SELECT f_table_name, styleQML, styleSLD, useAsDefault FROM layer_styles"
        ).fetchall()
    return {name: (q, s, d) for name, q, s, d in rows}


def _qml_fields(text: str) -> set[str]:
    root = ET.fromstring(text.split("\n", 1)[1])
    fields = {r.get("attr") for r in root.iter("renderer-v2") if r.get("attr")}
    return fields | {t.get("fieldName") for t in root.iter("text-style")}


def test_every_layer_is_written_with_its_default_style(sample_gpkg):
    layers = dict(pyogrio.list_layers(sample_gpkg))
    assert set(LAYERS) <= set(layers) and "layer_styles" in layers
    styles = _styles(sample_gpkg)
    assert set(styles) == set(LAYERS)
    for name in LAYERS:
        fields = set(pyogrio.read_info(sample_gpkg, layer=name)["fields"])
        qml_text, sld_text, default = styles[name]
        assert default == 1
        assert _qml_fields(qml_text) <= fields, name
        sld_root = ET.fromstring(sld_text.encode())
        named = {e.text for e in sld_root.iter("{http://www.opengis.net/ogc}PropertyName")}
        assert named <= fields, name
        assert pyogrio.read_info(sample_gpkg, layer=name)["crs"] == "EPSG:9215"  # Lạng Sơn


def test_the_layers_figures_are_the_tables(_sample_result, sample_gpkg):
    result = _sample_result
    bins = pyogrio.read_dataframe(sample_gpkg, layer="chainage_bins")
    roads = result.progress_by_chainage.groupby(C.PROJECT)[C.CLEARED_M2].sum()
    assert bins.groupby(C.PROJECT)[C.CLEARED_M2].sum().to_dict() == pytest.approx(roads.to_dict())
    # each bin's polygon is the land it measures: its area is its required land
    assert shapely.area(bins.geometry.to_numpy()) == pytest.approx(bins[C.REQUIRED_M2], rel=1e-9)
    pieces = pyogrio.read_dataframe(sample_gpkg, layer="pieces")
    assert len(pieces) == len(result.parcels)
    assert pieces["area_m2"].to_numpy() == pytest.approx(shapely.area(pieces.geometry.to_numpy()))
    assert pieces["stage"].tolist() == result.parcels["stage"].tolist()
    row = pyogrio.read_dataframe(sample_gpkg, layer="rights_of_way").set_index(C.PROJECT)
    table = result.progress_by_project.set_index(C.PROJECT)
    assert row[C.CLEARED_PCT].to_dict() == pytest.approx(table[C.CLEARED_PCT].to_dict())
    placed = [f for f in result.findings if f.place is not None]
    qa = pyogrio.read_dataframe(sample_gpkg, layer="qa_findings")
    assert len(qa) == len(placed) and {"gap_in_row", "piece_sliver"} <= set(qa[C.CHECK])


def test_a_stage_dated_after_the_report_date_is_not_written(tmp_path):
    config = hand_case(tmp_path)  # parcel 4 handed over 01/05/2024, the report is of 01/04
    result = compute_progress(config, allow_unplaced=True)
    path = write_gpkg(result, tmp_path / "gpmb.gpkg")
    pieces = pyogrio.read_dataframe(path, layer="pieces").set_index("label")
    assert pieces.loc["5/1", C.HANDOVER_DATE].date().isoformat() == "2024-03-01"
    assert pieces["handover_date"].isna().sum() == 3 and pieces.loc["6/4", "stage"] != "handed_over"
    # the pieces overlapping (parcels 1 and 4 over 30–40 m) have their overlap as a QA place
    qa = pyogrio.read_dataframe(path, layer="qa_findings")
    overlap = qa[qa[C.CHECK] == "parcels_overlap"]
    assert len(overlap) >= 1 and shapely.area(overlap.geometry.iat[0]) == pytest.approx(200.0)


def test_owner_names_stay_out_unless_asked(tmp_path):
    config = hand_case(tmp_path)
    write_layer(tmp_path / "parcels.gpkg", [
        {"MAXA": "01", "SHBANDO": 5, "SOTHUA": 1, "CHUSUDUNG": "Nguyễn Văn Bí Mật",
         "geometry": rect(0, 0, 40, 20)}])  # fmt: skip
    result = compute_progress(config, allow_unplaced=True, include_owner=True)
    kept = write_gpkg(result, tmp_path / "without.gpkg")
    assert "Bí Mật".encode() not in kept.read_bytes()
    asked = write_gpkg(result, tmp_path / "with.gpkg", include_owner=True)
    assert "Bí Mật".encode() in asked.read_bytes()


def test_words_of_the_styles_are_escaped_and_classes_ordered():
    style = layer_styles("vi")["rights_of_way"]
    text = qml(style)
    root = ET.fromstring(text.split("\n", 1)[1])
    lowers = [float(r.get("lower")) for r in root.iter("range")]
    assert lowers == sorted(lowers, reverse=True)  # QGIS takes the first range a value fits
    stages = layer_styles("vi")["pieces"]
    labels = {
        c.get("value"): c.get("label")
        for c in ET.fromstring(qml(stages).split("\n", 1)[1]).iter("category")
    }
    assert labels[C.HANDED_OVER] == "Đã bàn giao"


# --- in QGIS -------------------------------------------------------------------------------

_QGIS_SCRIPT = r"""
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from qgis.core import (QgsApplication, QgsVectorLayer, QgsMapSettings, QgsMapRendererSequentialJob,
                       QgsRenderContext, QgsRectangle)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor
app = QgsApplication([], False)
app.initQgis()
path, png = sys.argv[1], sys.argv[2]
out = {}
layers = []
for name in json.loads(sys.argv[3]):
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    info = {"valid": layer.isValid(), "fields": [f.name() for f in layer.fields()],
            "renderer": layer.renderer().type() if layer.renderer() else None,
            "labels": layer.labelsEnabled(), "count": layer.featureCount()}
    r = layer.renderer()
    info["attr"] = r.classAttribute() if hasattr(r, "classAttribute") else None
    if layer.labelsEnabled():
        info["label_field"] = layer.labeling().settings().fieldName
    info["scales"] = [layer.hasScaleBasedVisibility(), layer.minimumScale(), layer.maximumScale()]
    context = QgsRenderContext()
    r.startRender(context, layer.fields())
    info["unsymbolised"] = sum(r.symbolForFeature(f, context) is None for f in layer.getFeatures())
    r.stopRender(context)
    if name == "chainage_bins" and hasattr(r, "rangeForValue"):
        info["colour_at"] = {str(v): r.symbolForValue(v).color().name()
                             for v in (100.0, 70.0, 69.99, 0.0)}
    out[name] = info
    layers.append(layer)
settings = QgsMapSettings()
settings.setLayers(layers)
pieces = [l for l in layers if l.name() == "pieces"][0]
first = next(pieces.getFeatures())  # a view of 300 × 200 m around a piece
c = first.geometry().boundingBox().center()
settings.setExtent(QgsRectangle(c.x() - 150, c.y() - 100, c.x() + 150, c.y() + 100))
settings.setOutputSize(QSize(600, 400))
settings.setBackgroundColor(QColor(255, 255, 255))
settings.setDestinationCrs(pieces.crs())
job = QgsMapRendererSequentialJob(settings)
job.start(); job.waitForFinished()
image = job.renderedImage()
image.save(png)
colours = {}
for x in range(0, 600, 3):
    for y in range(0, 400, 3):
        name = QColor(image.pixel(x, y)).name()
        colours[name] = colours.get(name, 0) + 1
out["_colours"] = colours
print(json.dumps(out), flush=True)
os._exit(0)  # QGIS 3.22 may crash tearing down what it drew: the answer is out already
"""


def _has_pyqgis() -> bool:
    if not shutil.which(SYSTEM_PYTHON):
        return False
    done = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], check=False,
                          capture_output=True)  # fmt: skip
    return done.returncode == 0


@pytest.mark.skipif(
    not _has_pyqgis() and not os.environ.get("GPMB_REQUIRE_QGIS"),
    reason="PyQGIS (python3-qgis) is not installed; .ci/run installs it and requires it",
)
def test_qgis_opens_every_layer_with_its_style_and_draws_it(sample_gpkg, tmp_path):
    png = tmp_path / "qgis.png"
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", _QGIS_SCRIPT, str(sample_gpkg), str(png), json.dumps(LAYERS)],
        check=False, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    expected = {"pieces": "categorizedSymbol", "chainage_bins": "graduatedSymbol",
                "blocked_stretches": "singleSymbol", "rights_of_way": "graduatedSymbol",
                "communes": "graduatedSymbol", "qa_findings": "categorizedSymbol"}  # fmt: skip
    for name, renderer in expected.items():
        info = seen[name]
        assert info["valid"] and info["count"] > 0, name
        assert info["renderer"] == renderer, name  # the default style was loaded
        assert info["attr"] in (None, "", *info["fields"]), name
        assert info["labels"] and info["label_field"] in info["fields"], name
    for name in LAYERS:  # every feature drawn: no % between two classes, none above 100
        assert seen[name]["unsymbolised"] == 0, name
    assert seen["pieces"]["scales"] == [True, 10000.0, 0.0]  # parcels from 1:10 000
    assert seen["chainage_bins"]["scales"] == [True, 0.0, 10000.0]  # the ribbon above it
    assert seen["chainage_bins"]["colour_at"] == {
        "100.0": "#009e73", "70.0": "#56b4e9", "69.99": "#f0e442", "0.0": "#d55e00"}  # fmt: skip
    colours = seen["_colours"]
    drawn = sum(n for c, n in colours.items() if c != "#ffffff")
    assert drawn > 0.2 * sum(colours.values())  # the parcels fill the view
    assert colours.get("#009e73", 0) > 0  # handed over, in the package's green
    assert png.stat().st_size > 5000 and np.any(list(colours))


def test_a_percent_is_classed_as_read_and_the_fields_never_change(_sample_result, sample_gpkg,
                                                                  tmp_path):  # fmt: skip
    bins = pyogrio.read_dataframe(sample_gpkg, layer="chainage_bins")
    all_but_noise = bins[C.CLEARED_PCT] > 100 - 1e-9
    assert all_but_noise.any() and (bins.loc[all_but_noise, "pct_shown"] == 100.0).all()
    assert (bins["pct_shown"] <= bins[C.CLEARED_PCT] + 1e-9).all()  # never rounded up
    # a run without a road, a commune layer or QA places: the same fields, the same types
    config = hand_case(tmp_path)
    config.write_text(config.read_text().replace('communes = "communes.gpkg"\n', ""))
    empty = write_gpkg(compute_progress(config, allow_unplaced=True), tmp_path / "g.gpkg")
    assert pyogrio.read_info(empty, layer="chainage_bins")["features"] == 0
    for name in LAYERS:
        full, bare = (
            pyogrio.read_info(sample_gpkg, layer=name),
            pyogrio.read_info(empty, layer=name),
        )
        assert list(full["fields"]) == list(bare["fields"]), name
        assert list(full["dtypes"]) == list(bare["dtypes"]), name
        assert full["geometry_type"] == bare["geometry_type"], name
    with sqlite3.connect(empty) as con:
        sql = con.execute("SELECT sql FROM sqlite_master WHERE name = 'pieces'").fetchone()[0]
    assert '"handover_date" DATE' in sql
