"""Remake the pictures of docs/img from the briefing of the bundled (synthetic) sample.

Run by ``make screenshots`` after ``make maps``: the overview, one page of the QL4B map book,
the QL4B web map at two zooms (headless Chromium) and ``gpmb.gpkg`` drawn by QGIS (Debian's
PyQGIS, in the system Python). The pictures are of made-up data.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
IMG = DOCS / "img"

_QGIS = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from qgis.core import (QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings,
                       QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor
app = QgsApplication([], False)
app.initQgis()
path, out = sys.argv[1], sys.argv[2]
names = ["qa_findings", "blocked_stretches", "pieces", "chainage_bins", "rights_of_way", "communes"]
layers = [QgsVectorLayer(f"{path}|layername={n}", n, "ogr") for n in names]
pieces = layers[2]
feature = next(f for f in pieces.getFeatures() if f["project"] == "QL4B")
c = feature.geometry().boundingBox().center()
settings = QgsMapSettings()
settings.setLayers(layers)
settings.setDestinationCrs(pieces.crs())
settings.setExtent(QgsRectangle(c.x() - 250, c.y() - 140, c.x() + 250, c.y() + 140))
settings.setOutputSize(QSize(1000, 560))
settings.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererSequentialJob(settings)
job.start()
job.waitForFinished()
job.renderedImage().save(out)
sys.stdout.flush()
os._exit(0)
"""


def _chromium(page: Path, out: Path, size: str, view: str = "") -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--hide-scrollbars", f"--window-size={size}",
         "--virtual-time-budget=5000", f"--screenshot={out}", page.as_uri() + view],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def _parcels_view(gpkg: Path) -> str:
    """``#lat,lon,17``: the web map zoomed in on QL4B's first piece, where parcels show."""
    import pyogrio
    import shapely
    from pyproj import Transformer

    pieces = pyogrio.read_dataframe(gpkg, layer="pieces", where="project = 'QL4B'", max_features=40)
    point = shapely.centroid(pieces.geometry.iloc[20])
    lon, lat = Transformer.from_crs(pieces.crs, "EPSG:4326", always_xy=True).transform(
        point.x, point.y
    )
    return f"#{lat:.6f},{lon:.6f},17"


def main() -> None:
    """Copy and take the pictures from the briefing in ``argv[1]`` (``output/``)."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "output")
    IMG.mkdir(exist_ok=True)
    shutil.copy(out / "maps" / "overview.png", IMG / "overview.png")
    shutil.copy(out / "maps" / "QL4B_atlas" / "page_05.png", IMG / "atlas_page.png")
    web = out / "maps" / "QL4B.html"
    _chromium(web, IMG / "web_ribbon.png", "412,780")  # a phone, as the map opens
    _chromium(web, IMG / "web_parcels.png", "412,780", _parcels_view(out / "gpmb.gpkg"))
    subprocess.run(["/usr/bin/python3", "-c", _QGIS, str(out / "gpmb.gpkg"),
                    str(IMG / "qgis.png")], check=True, timeout=300)  # fmt: skip
    print(f"wrote {IMG}")


if __name__ == "__main__":
    main()
