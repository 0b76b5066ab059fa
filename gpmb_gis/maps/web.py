"""Web maps (folium) for the steering committee: one self-contained HTML file per project.

Self-contained by default: Leaflet's script and stylesheet (from the XStatic-Leaflet package,
the version folium uses) are written into the page, which then works from a USB stick with the
network off; ``cdn=True`` gives the lighter page that loads them from the web. Only a
whitelist of columns is embedded, owner names only when asked, and every value is escaped for
HTML and for JavaScript before it reaches the page.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from gpmb_gis import columns as C
from gpmb_gis.chainage import format_chainage
from gpmb_gis.crs import to_wgs84_transformer
from gpmb_gis.household_report import billions, household_sentence
from gpmb_gis.labels import format_area, format_number, format_pct, heading, stage_name, word
from gpmb_gis.maps.static import LEGEND_MIN_M2, commune_window, piece_stages
from gpmb_gis.measure import already_clear_m2, stage_areas
from gpmb_gis.palette import BLOCKED_COLOUR, PCT_CLASSES, STAGE_COLOURS, pct_colour

if TYPE_CHECKING:
    from gpmb_gis.result import ProgressResult

__all__ = ["DECIMALS", "SIMPLIFY_ABOVE", "SIMPLIFY_DEGREES", "safe", "save_web_map", "web_map"]


#: Degrees kept in coordinates: 1e-6° is about 0.1 m.
DECIMALS = 6
#: Layers of more parcels than this are simplified, keeping shared edges (about 0.3 m).
SIMPLIFY_ABOVE = 3000
SIMPLIFY_DEGREES = 3e-6
_TOOLTIP_COLUMNS = (C.COMMUNE, C.SHEET, C.PARCEL, C.LAND_USE, C.AFFECTED_M2, C.STAGE,
                    C.HANDOVER_DATE)  # fmt: skip


#: Characters escaped beyond HTML's own: ``$`` and the backtick (JavaScript template literals),
#: the backslash (JavaScript strings), and braces: branca renders the output of each folium
#: element once more as a Jinja template, so a ``{{ … }}`` or ``{% … %}`` left in a value would
#: run as template code.
_BEYOND_HTML = str.maketrans({"$": "&#36;", "`": "&#96;", "\\": "&#92;", "{": "&#123;",
                              "}": "&#125;"})  # fmt: skip


def safe(value: object) -> str:
    r"""Text safe inside HTML, a JavaScript string, a template literal and a Jinja template.

    Examples
    --------
    >>> safe("<img src=x onerror=alert(1)>${x}`\\")
    '&lt;img src=x onerror=alert(1)&gt;&#36;&#123;x&#125;&#96;&#92;'
    >>> safe("{{7*7}}")
    '&#123;&#123;7*7&#125;&#125;'
    """
    return html.escape("" if value is None else str(value), quote=True).translate(_BEYOND_HTML)


def _to_wgs84(geoms: np.ndarray, crs: Any) -> np.ndarray:
    transformer = to_wgs84_transformer(crs)

    def project(xy: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), DECIMALS)

    return shapely.transform(geoms, project)


def _feature_collection(geoms: np.ndarray, properties: list[dict[str, str]]) -> dict:
    features = []
    for geom, props in zip(geoms, properties, strict=True):
        if geom is None or geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": json.loads(shapely.to_geojson(geom)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


#: Short property names: every byte is repeated once per parcel.
_KEYS = {C.COMMUNE: "c", C.SHEET: "s", C.PARCEL: "p", C.LAND_USE: "l", C.AFFECTED_M2: "a",
         C.STAGE: "g", C.HANDOVER_DATE: "d", C.OWNER: "o"}  # fmt: skip


def _properties(row: dict[str, object], lang: str, include_owner: bool) -> dict[str, str]:
    """The whitelisted, escaped values of one parcel (owner only when asked)."""
    cols = [*_TOOLTIP_COLUMNS, C.OWNER] if include_owner else list(_TOOLTIP_COLUMNS)
    props = {}
    for col in cols:
        value = row.get(col)
        if col == C.AFFECTED_M2 and value is not None:
            value = format_number(float(value), 1, lang)  # 1.234,5 in Vietnamese
        elif col == C.HANDOVER_DATE and isinstance(value, dt.date):
            value = f"{value:%d/%m/%Y}"
        elif col == C.STAGE:
            value = stage_name(str(value), lang)
        elif value is None or (isinstance(value, float) and np.isnan(value)):
            value = ""
        props[_KEYS[col]] = safe(value)
    return props


def _tooltip_fields(lang: str, include_owner: bool) -> tuple[list[str], list[str]]:
    cols = [*_TOOLTIP_COLUMNS, C.OWNER] if include_owner else list(_TOOLTIP_COLUMNS)
    return [_KEYS[c] for c in cols], [safe(heading(c, lang)) for c in cols]


def _panel(
    result: ProgressResult, project: str, lang: str, zooms: dict[str, str] | None = None
) -> str:
    """The summary panel: the project's figures, the commune table, the milestones."""
    row = result.progress_by_project.set_index(C.PROJECT).loc[project]
    lines = [
        f"<b>{safe(row[C.PROJECT_NAME])}</b><br>{safe(word('as_of', lang))} "
        f"{result.as_of:%d/%m/%Y}: {safe(word('cleared_of', lang))} "
        f"<b>{format_pct(row[C.CLEARED_PCT], lang)} %</b> "
        f"({format_number(row[C.CLEARED_M2] / 1e4, 2, lang)} / "
        f"{format_number(row[C.REQUIRED_M2] / 1e4, 2, lang)} ha)",
        *_households_line(row, lang),
        f"<table class='gpmb-t'><tr><th>{safe(heading(C.COMMUNE, lang))}</th>"
        f"<th>{safe(heading(C.CLEARED_PCT, lang))}</th></tr>",
    ]
    doubt = result.unplaced().sentence(lang)
    if doubt:
        lines.insert(1, f"<div style='color:#A33'>⚠ {safe(doubt)}</div>")
    for c in result.communes_named(project).itertuples(index=False):
        pct = format_pct(c.cleared_pct, lang)
        bounds = (zooms or {}).get(c.commune)  # four numbers we wrote: a link zooms there
        name = safe(c.commune)
        if bounds:
            name = f"<a href='#' class='gpmb-zoom' data-b='{bounds}'>{name}</a>"
        lines.append(f"<tr><td>{name}</td><td>{pct} %</td></tr>")
    lines.append(f"</table><table class='gpmb-t'><tr><th>{safe(word('milestones', lang))}</th>"
                 f"<th>{safe(heading(C.STATUS, lang))}</th></tr>")  # fmt: skip
    milestones = result.milestones()
    for m in milestones[milestones[C.PROJECT] == project].itertuples(index=False):
        lines.append(f"<tr><td>{safe(m.label)}</td><td>{safe(word(m.status, lang))}</td></tr>")
    lines.append("</table>")
    return "".join(lines)


def _households_line(row: Any, lang: str) -> list[str]:
    """The households beside the hectares, and the money paid, when the book has them."""
    if C.HOUSEHOLDS_AFFECTED not in row:
        return []
    line = f"<br>{safe(household_sentence(row.to_dict(), lang))}"
    paid, approved = (
        billions(row[C.COMPENSATION_PAID_VND]),
        billions(row[C.COMPENSATION_APPROVED_VND]),
    )
    if paid is None or approved is None:
        return [line]
    money = word("money_paid_of", lang).format(
        paid=format_number(paid, 3, lang), approved=format_number(approved, 3, lang)
    )
    return [f"{line}<br>{safe(money)}"]


def _legend(
    areas: dict[str, float], lang: str, *, ribbon: bool = False, blocked: bool = False
) -> str:
    """The key: the ribbon's % classes (a road), each stage's land, blocked stretches.

    Stage land is the tables' (overlaps once).
    """
    classes = (
        "".join(
            f"<div><span style='background:{colour}'></span>{safe(label)}</div>"
            for _, _, colour, label in PCT_CLASSES
        )
        if ribbon
        else ""
    )
    items = classes + "".join(
        f"<div><span style='background:{STAGE_COLOURS[s]}'></span>{safe(stage_name(s, lang))}"
        f": {format_area(areas[s], lang)}</div>"
        for s in STAGE_COLOURS
        if areas.get(s, 0.0) >= LEGEND_MIN_M2
    )
    if not blocked:
        return items
    return (
        f"{items}<div><span style='background:{BLOCKED_COLOUR}'></span>"
        f"{safe(word('blocked', lang))}</div>"
    )


_CSS = """.gpmb-box{background:#fff;padding:6px 8px;border-radius:4px;box-shadow:0 1px 4px
rgba(0,0,0,.3);font:12px/1.35 system-ui,Arial,sans-serif;max-width:260px;max-height:45vh;
overflow:auto}.gpmb-box span{display:inline-block;width:12px;height:12px;margin-right:5px;
border:1px solid #555;vertical-align:-2px}.gpmb-t td{padding:1px 4px}.gpmb-tip th{text-align:
left;padding-right:6px}@media(max-width:600px){.gpmb-box{max-width:170px;font-size:11px}}"""


def web_map(
    result: ProgressResult,
    project: str,
    *,
    lang: str | None = None,
    include_owner: bool = False,
    cdn: bool = False,
) -> Any:
    """A folium map of a project: parcels by stage, ROW, communes, Km markers, blockers.

    Parameters
    ----------
    result
        What :func:`gpmb_gis.compute_progress` returned.
    project
        The project id.
    include_owner
        Put owner names in the tooltips (personal data: off by default).
    cdn
        Keep folium's links to Leaflet on the web (``save_web_map`` inlines them otherwise).

    Returns
    -------
    folium.Map
        Displays inline in Jupyter; :func:`save_web_map` writes the self-contained file.

    Examples
    --------
    >>> fmap = gg.web_map(result, "QL4B")
    >>> type(fmap).__name__
    'Map'
    """
    try:
        import folium
    except ImportError as exc:  # pragma: no cover - folium is a dependency
        raise ImportError("web maps need folium: pip install folium") from exc
    from branca.element import Element

    lang = lang or result.config.lang
    ov = result.overlays[project]
    crs = result.config.crs
    row_wgs = _to_wgs84(np.array([ov.row]), crs)[0]
    lon0, lat0, lon1, lat1 = row_wgs.bounds
    fmap = folium.Map(
        location=[(lat0 + lat1) / 2, (lon0 + lon1) / 2],
        tiles=None,
        prefer_canvas=True,
        control_scale=False,  # metres only: added below
    )
    if not cdn:  # only Leaflet: no jQuery, Bootstrap or icon fonts to fetch
        fmap.default_js = [js for js in fmap.default_js if js[0] == "leaflet"]
        fmap.default_css = [css for css in fmap.default_css if css[0] == "leaflet_css"]
    # an online basemap, off: fetched only when turned on, the file works offline without it
    folium.TileLayer(
        "OpenStreetMap", name=safe(word("basemap_osm", lang)), show=False, overlay=True
    ).add_to(fmap)
    parcels = folium.FeatureGroup(name=safe(word("parcels_layer", lang)))
    stages = piece_stages(result, project)
    table = result.parcels[result.parcels[C.PROJECT] == project].reset_index(drop=True)
    if include_owner and C.OWNER in ov.pieces:  # personal data: only when asked
        table[C.OWNER] = ov.pieces[C.OWNER].to_numpy()
    rows = table.to_dict("records")
    geoms = _to_wgs84(ov.pieces.geometry.to_numpy(), crs)
    if len(geoms) > SIMPLIFY_ABOVE:  # shared edges stay shared: a coverage is simplified whole
        geoms = shapely.coverage_simplify(geoms, SIMPLIFY_DEGREES, simplify_boundary=False)
    row = result.progress_by_project.set_index(C.PROJECT).loc[project]
    areas = stage_areas(row, already_clear_m2(ov))
    for stage, colour in STAGE_COLOURS.items():
        mask = np.flatnonzero(stages == stage)
        if not len(mask):
            continue
        props = [_properties(rows[i], lang, include_owner) for i in mask]
        fields, aliases = _tooltip_fields(lang, include_owner)
        folium.GeoJson(
            _feature_collection(geoms[mask], props),
            name=safe(stage_name(stage, lang)),
            style_function=lambda _f, c=colour: {
                "fillColor": c,
                "color": "#333",
                "weight": 0.5,
                "fillOpacity": 0.8,
            },
            tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, class_name="gpmb-tip"),
        ).add_to(parcels)
    parcels.add_to(fmap)
    folium.GeoJson(
        json.loads(shapely.to_geojson(row_wgs)),
        name=safe(word("row", lang)),
        style_function=lambda _f: {"fill": False, "color": "#000", "weight": 2},
    ).add_to(fmap)
    _add_communes(fmap, result, ov, crs, lang)
    blocked = _add_chainage(fmap, result, ov, crs, lang)
    ribbon = _add_ribbon(fmap, result, project, crs, lang)
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.fit_bounds([[lat0, lon0], [lat1, lon1]])
    fmap.get_root().header.add_child(Element(f"<style>{_CSS}</style>"))
    fmap.get_root().html.add_child(
        Element(
            f"<div class='gpmb-box' style='position:fixed;top:10px;left:50px;z-index:1000'>"
            f"{_panel(result, project, lang, _commune_bounds(result, project))}</div>"
            f"<div class='gpmb-box' style='position:fixed;"
            f"bottom:20px;right:10px;z-index:1000'>"
            f"{_legend(areas, lang, ribbon=ribbon is not None, blocked=blocked is not None)}"
            "</div>"
        )
    )
    # names of Leaflet objects folium made (never text from the data), and numbers only
    script = _SCRIPT.replace("MAP", fmap.get_name()).replace("PARCELS", parcels.get_name())
    script = script.replace("RIBBON", ribbon.get_name() if ribbon is not None else "null")
    script = script.replace("BLOCKED", blocked.get_name() if blocked is not None else "null")
    fmap.get_root().script.add_child(Element(script.replace("ZOOM", str(PARCELS_FROM_ZOOM))))
    return fmap


#: The zoom from which the parcels are drawn (about 1:9 000 on a screen in Lạng Sơn); below
#: it a road shows as its ribbon of chainage bins.
PARCELS_FROM_ZOOM = 16

#: The page's own script, run once Leaflet has drawn: the ribbon or the parcels by zoom, a
#: view from the address (``map.html#21.85,106.76,17``: latitude, longitude, zoom), the commune
#: table's links, and the count of parcels drawn (``document.body.dataset``) for a browser to
#: check. Blocked stretches are a band beside the ribbon (drawn under it), and a thin dashed
#: line over the parcels. MAP, PARCELS, RIBBON, BLOCKED and ZOOM are replaced by folium's
#: names and a number.
_SCRIPT = """window.addEventListener('load',function(){var m=MAP,p=PARCELS,r=RIBBON,k=BLOCKED;
function show(){var near=m.getZoom()>=ZOOM||r===null;
document.body.dataset.gpmbView=near?'parcels':'ribbon';
if(k!==null){k.setStyle(near?{weight:4,dashArray:'8 6'}:{weight:17,dashArray:null});}
if(r===null){return;}
if(near){if(!m.hasLayer(p)){m.addLayer(p);}if(m.hasLayer(r)){m.removeLayer(r);}}
else{if(!m.hasLayer(r)){m.addLayer(r);}if(m.hasLayer(p)){m.removeLayer(p);}}}
L.control.scale({imperial:false}).addTo(m);m.on('zoomend',show);
var h=location.hash.match(/^#(-?[0-9.]+),(-?[0-9.]+),([0-9]+)$/);
show();if(h){setTimeout(function(){m.setView([Number(h[1]),Number(h[2])],Number(h[3]),
{reset:true});show();},800);}
document.querySelectorAll('a.gpmb-zoom').forEach(function(a){a.addEventListener('click',
function(e){e.preventDefault();var b=a.getAttribute('data-b').split(',').map(Number);
m.fitBounds([[b[0],b[1]],[b[2],b[3]]]);});});
var n=0;function count(l){if(l.feature&&l.feature.properties&&'g' in l.feature.properties){n++;}
if(l.eachLayer){l.eachLayer(count);}}count(p);document.body.dataset.gpmbParcels=String(n);});"""


def _add_ribbon(fmap: Any, result: ProgressResult, project: str, crs: Any, lang: str) -> Any:
    """A road's ribbon: each chainage bin's centreline in the colour of its %; None without."""
    import folium

    from gpmb_gis.chainage import chainage_labels
    from gpmb_gis.maps.ribbon import bin_lines

    lines, pcts = bin_lines(result, project)
    if not len(lines):
        return None
    group = folium.FeatureGroup(name=safe(word("ribbon", lang)))
    lines = shapely.set_precision(_to_wgs84(lines, crs), 1e-6)  # 0.1 m: the page stays light
    colours = np.array([pct_colour(p) for p in pcts])
    starts = chainage_labels([b.from_m for b in result.overlays[project].bins])
    tips = [safe(f"{a}: {format_pct(p, lang)} %") for a, p in zip(starts, pcts, strict=True)]
    for colour in dict.fromkeys(colours):  # one layer per class: its style written once
        mine = np.flatnonzero(colours == colour)
        folium.GeoJson(
            _feature_collection(lines[mine], [{"t": tips[k]} for k in mine]),
            style_function=lambda _f, c=colour: {"color": c, "weight": 9, "opacity": 1.0},
            tooltip=folium.GeoJsonTooltip(fields=["t"], labels=False),
        ).add_to(group)
    group.add_to(fmap)
    return group


def _commune_bounds(result: ProgressResult, project: str) -> dict[str, str]:
    """Each commune row of the panel and the bounds to zoom to (``south,west,north,east``).

    A row of 2025 zooms to its old communes' land.
    """
    table = result.communes_named(project)
    olds = [""] * len(table)
    if result.report_era() != "2024":  # the rows of 2025, in the same order, and their old ones
        units = result.progress_by_commune_2025
        olds = units.loc[units[C.PROJECT] == project, "old_communes"].tolist()
    crs = result.config.crs
    out = {}
    for name, old in zip(table[C.COMMUNE], olds, strict=True):
        parts = [commune_window(result, project, n) for n in (str(old).split("; ") if old else [])]
        parts = [w for w in parts if w is not None] or [commune_window(result, project, name)]
        parts = [w for w in parts if w is not None and not w.is_empty]
        if parts:
            x0, y0, x1, y1 = _to_wgs84(np.array([shapely.union_all(parts).envelope]), crs)[0].bounds
            out[name] = f"{y0:.6f},{x0:.6f},{y1:.6f},{x1:.6f}"
    return out


def _add_communes(fmap: Any, result: ProgressResult, ov: Any, crs: Any, lang: str) -> None:
    import folium

    communes = result.inputs.communes if result.inputs is not None else None
    if communes is None:
        return
    near = communes[communes.intersects(ov.row.buffer(2000))]
    if not len(near):  # a right of way in no commune of the layer: no boundary to draw
        return
    geoms = _to_wgs84(near.geometry.to_numpy(), crs)
    names = result.commune_labels(near[C.COMMUNE_CODE].tolist(), near[C.COMMUNE].tolist())
    props = [{"name": safe(n)} for n in names]
    folium.GeoJson(
        _feature_collection(geoms, props),
        name=safe(word("communes", lang)),
        style_function=lambda _f: {
            "fill": False,
            "color": "#7A3E9D",
            "weight": 1.5,
            "dashArray": "6 4",
        },
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(fmap)


def _add_chainage(fmap: Any, result: ProgressResult, ov: Any, crs: Any, lang: str) -> Any:
    """Km markers along the centreline, and the stretches that block the road."""
    import folium

    route = ov.route
    if route is None:
        return None
    group = folium.FeatureGroup(name="Km")
    posts = route.posts()
    points = _to_wgs84(shapely.line_interpolate_point(route.line, [d for d, _ in posts]), crs)
    for point, (_, c) in zip(points, posts, strict=True):
        folium.CircleMarker(
            [point.y, point.x],
            radius=4,
            color="#000",
            fill=True,
            weight=1,
            tooltip=safe(format_chainage(c)),
        ).add_to(group)
    group.add_to(fmap)
    from shapely.ops import substring

    from gpmb_gis.maps.ribbon import blocked_runs

    blocked = blocked_runs(result, ov.project.id)
    if not blocked:  # a road cleared whole: no band, and none in the key
        return None
    lines = folium.FeatureGroup(name=safe(word("blocked", lang)))
    for a, b, label in blocked:
        piece = substring(route.line, a, b)
        coords = shapely.get_coordinates(_to_wgs84(np.array([piece]), crs)[0])
        folium.PolyLine(
            [[y, x] for x, y in coords],
            color=BLOCKED_COLOUR,
            weight=17,  # under the ribbon: a band beside it (thin over the parcels)
            opacity=0.9,
            tooltip=safe(label),
        ).add_to(lines)
    lines.add_to(fmap)
    return lines


def _leaflet_inline() -> tuple[str, str]:
    """Leaflet's script and stylesheet, with the stylesheet's images as data URIs."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    script = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match) -> str:
        path = base / match.group(1)
        if not path.exists():
            return match.group(0)
        return f"url(data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()})"

    css = re.sub(r"url\((images/[^)]+\.png)\)", data_uri, css)
    return script, css


def save_web_map(fmap: Any, path: str | Path, *, cdn: bool = False) -> Path:
    """Write a web map to an HTML file: self-contained unless ``cdn``.

    Returns the path; the file's size in bytes is ``path.stat().st_size``.
    """
    page = fmap.get_root().render()
    if not cdn:
        script, css = _leaflet_inline()
        script = script.replace("</script", "<\\/script")
        page = re.sub(
            r'<script src="[^"]*leaflet[^"]*\.js"></script>',
            lambda _m: f"<script>{script}</script>",
            page,
        )
        page = re.sub(
            r'<link rel="stylesheet" href="[^"]*leaflet[^"]*\.css"\s*/?>',
            lambda _m: f"<style>{css}</style>",
            page,
        )
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
