"""Default QGIS styles of the layers of ``gpmb.gpkg``: QML for QGIS and SLD for other tools.

Each layer gets the package's palette (:mod:`gpmb_gis.palette`) and words in the report's
language (:mod:`gpmb_gis.labels`), so that the GeoPackage dropped into QGIS shows the map the
PNG shows. A style is a :class:`Style` (what to colour by, the classes, the label); the XML
is built with ElementTree, so every word is escaped as text. The styles name only fields the
layers have (``tests/test_qgis.py`` checks it against the written file and in QGIS).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from gpmb_gis import columns as C
from gpmb_gis.labels import stage_name, word
from gpmb_gis.maps.ribbon import PARCELS_FROM_SCALE
from gpmb_gis.palette import BLOCKED_COLOUR, PCT_CLASSES, SEVERITY_COLOURS, STAGE_COLOURS

__all__ = ["PCT_SHOWN", "Style", "layer_styles", "qml", "sld"]


@dataclass(frozen=True)
class Style:
    """How one layer is drawn.

    Attributes
    ----------
    kind
        ``fill`` (polygons) or ``line``.
    field
        The field the classes are read from; None for one symbol for every feature.
    categories
        ``(value, colour, label)`` for a field of values (a stage, a severity).
    ranges
        ``(lower, upper, colour, label)`` for a field of numbers (a cleared %).
    colour
        The one symbol's colour (no ``field``), or the outline's.
    label_field
        The field each feature is labelled with; None for no labels.
    label_max_scale
        Labels shown only at scales larger than 1:``label_max_scale`` (0: at every scale).
    width_mm
        The outline's (fill) or the line's width.
    fill_alpha
        The fill's opacity, 0–255 (a commune's fill lets the map under it show).
    fill_style
        QGIS's brush: ``solid``, or ``b_diagonal`` (hatched: a QA place over the stages).
    ribbon
        The outline in each class's colour, ``width_mm`` wide: a road seen at any scale.
    offset_mm
        A line drawn this far beside its feature (a blocked stretch beside the road).
    visible_scales
        The layer drawn only between these scale denominators (most zoomed out, most zoomed
        in); ``(0, 0)`` at every scale. Parcels show from 1:10 000, the ribbon above it.
    """

    kind: str
    field: str | None = None
    categories: tuple[tuple[str, str, str], ...] = ()
    ranges: tuple[tuple[float, float, str, str], ...] = ()
    colour: str = "#333333"
    label_field: str | None = None
    label_max_scale: int = 0
    width_mm: float = 0.2
    fill_alpha: int = 255
    fill_style: str = "solid"
    ribbon: bool = False
    offset_mm: float = 0.0
    visible_scales: tuple[int, int] = (0, 0)


def _pct_ranges() -> tuple[tuple[float, float, str, str], ...]:
    return tuple((lo, hi, colour, label) for lo, hi, colour, label in PCT_CLASSES)


def layer_styles(lang: str) -> dict[str, Style]:
    """The style of each layer of ``gpmb.gpkg``, worded in ``lang``."""
    stages = tuple(
        (stage, colour, stage_name(stage, lang))
        for stage, colour in STAGE_COLOURS.items()
        if stage != "unmapped"
    )
    severities = tuple(
        (severity, colour, word(f"severity_{severity}", lang))
        for severity, colour in SEVERITY_COLOURS.items()
    )
    parcels = PARCELS_FROM_SCALE  # parcels from 1:10 000, the ribbon of bins above it
    return {
        "pieces": Style("fill", C.STAGE, categories=stages, label_field="label",
                        label_max_scale=2500, width_mm=0.1, visible_scales=(parcels, 0)),
        "chainage_bins": Style("fill", PCT_SHOWN, ranges=_pct_ranges(), label_field="label",
                               label_max_scale=25000, width_mm=2.5, ribbon=True,
                               visible_scales=(0, parcels)),
        "blocked_stretches": Style("line", colour=BLOCKED_COLOUR, label_field="label",
                                   label_max_scale=25000, width_mm=1.0, offset_mm=2.5),
        "rights_of_way": Style("fill", PCT_SHOWN, ranges=_pct_ranges(), colour="#000000",
                               label_field="label", width_mm=0.4, fill_alpha=60),
        "communes": Style("fill", PCT_SHOWN, ranges=_pct_ranges(), colour="#7A3E9D",
                          label_field="label", width_mm=0.5, fill_alpha=50),
        "qa_findings": Style("fill", C.SEVERITY, categories=severities, colour="#000000",
                             label_field="check_name", label_max_scale=5000, width_mm=0.5,
                             fill_style="b_diagonal"),
    }  # fmt: skip


#: The field a % is classed and labelled by: the % as people read it, never rounded up
#: (:func:`gpmb_gis.labels.pct_shown`); ``cleared_pct`` keeps every digit.
PCT_SHOWN = "pct_shown"


def style_fields(style: Style) -> set[str]:
    """The fields a style reads."""
    return {f for f in (style.field, style.label_field) if f}


# --- QML -----------------------------------------------------------------------------------


def _rgba(colour: str, alpha: int = 255) -> str:
    """``#RRGGBB`` as QGIS writes a colour: ``r,g,b,a``."""
    text = colour.lstrip("#")
    return ",".join(str(int(text[k : k + 2], 16)) for k in (0, 2, 4)) + f",{alpha}"


def _symbol(parent: ET.Element, name: str, style: Style, fill: str | None) -> None:
    """One QGIS symbol (a fill with its outline, or a line) under ``parent``."""
    kind = "fill" if style.kind == "fill" else "line"
    symbol = ET.SubElement(
        parent, "symbol", name=name, type=kind, alpha="1", clip_to_extent="1", force_rhr="0"
    )
    if kind == "fill":
        layer = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "pass": "0", "enabled": "1"})
        outline = fill if style.ribbon and fill else style.colour
        props = {
            "color": _rgba(fill or "#FFFFFF", style.fill_alpha if fill else 0),
            "style": style.fill_style if fill else "no",
            "outline_color": _rgba(outline),
            "outline_style": "solid",
            "outline_width": f"{style.width_mm:g}",
            "outline_width_unit": "MM",
        }
    else:
        layer = ET.SubElement(symbol, "layer", {"class": "SimpleLine", "pass": "0", "enabled": "1"})
        props = {
            "line_color": _rgba(fill or style.colour),
            "line_style": "solid",
            "line_width": f"{style.width_mm:g}",
            "line_width_unit": "MM",
            "capstyle": "flat",
            "offset": f"{style.offset_mm:g}",
            "offset_unit": "MM",
        }
    for key, value in props.items():
        ET.SubElement(layer, "prop", k=key, v=value)


def _renderer(root: ET.Element, style: Style) -> None:
    if style.categories:
        renderer = ET.SubElement(
            root, "renderer-v2", type="categorizedSymbol", attr=style.field or ""
        )
        listed = ET.SubElement(renderer, "categories")
        symbols = ET.SubElement(renderer, "symbols")
        for k, (value, colour, label) in enumerate(style.categories):
            ET.SubElement(
                listed, "category", value=value, symbol=str(k), label=label, render="true"
            )
            _symbol(symbols, str(k), style, colour)
    elif style.ranges:
        renderer = ET.SubElement(
            root, "renderer-v2", type="graduatedSymbol", attr=style.field or ""
        )
        renderer.attrib["graduatedMethod"] = "GraduatedColor"
        listed = ET.SubElement(renderer, "ranges")
        symbols = ET.SubElement(renderer, "symbols")
        for k, (lower, upper, colour, label) in enumerate(style.ranges):
            ET.SubElement(listed, "range", lower=f"{lower:.6f}", upper=f"{upper:.6f}",
                          symbol=str(k), label=label, render="true")  # fmt: skip
            _symbol(symbols, str(k), style, colour)
        ET.SubElement(renderer, "classificationMethod", id="Custom")
    else:
        renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol")
        _symbol(
            ET.SubElement(renderer, "symbols"),
            "0",
            style,
            None if style.kind == "fill" else style.colour,
        )
    renderer.attrib.update(symbollevels="0", forceraster="0", enableorderby="0")


def _labeling(root: ET.Element, style: Style) -> None:
    if not style.label_field:
        return
    settings = ET.SubElement(ET.SubElement(root, "labeling", type="simple"), "settings")
    text = ET.SubElement(settings, "text-style", fieldName=style.label_field, isExpression="0",
                         fontSize="8", fontSizeUnit="Point", textColor="17,17,17,255")  # fmt: skip
    ET.SubElement(text, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferSizeUnits="MM",
                  bufferColor="255,255,255,255")  # fmt: skip
    placement = "2" if style.kind == "line" else "1"  # along a line; over a polygon's point
    ET.SubElement(settings, "placement", placement=placement, dist="1", distUnits="MM")
    # no layer keeps another's labels off it (a commune's polygon would keep every label off)
    rendering = ET.SubElement(settings, "rendering", obstacle="0", displayAll="0")
    if style.label_max_scale:  # QGIS writes the smallest scale shown as scaleMax
        rendering.attrib.update(
            scaleVisibility="1", scaleMin="1", scaleMax=str(style.label_max_scale)
        )


def qml(style: Style) -> str:
    """The style as a QGIS style file (QML)."""
    root = ET.Element("qgis", version="3.22", styleCategories="Symbology|Labeling|Rendering",
                      labelsEnabled="1" if style.label_field else "0")  # fmt: skip
    smallest, largest = style.visible_scales
    if smallest or largest:  # QGIS's minScale is the most zoomed out a layer is drawn at
        root.attrib.update(hasScaleBasedVisibilityFlag="1", minScale=str(smallest),
                           maxScale=str(largest))  # fmt: skip
    _renderer(root, style)
    _labeling(root, style)
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


# --- SLD -----------------------------------------------------------------------------------

_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"


def _sld_symbolizer(rule: ET.Element, style: Style, colour: str | None) -> None:
    if style.kind == "fill":
        symbolizer = ET.SubElement(rule, f"{{{_SE}}}PolygonSymbolizer")
        if colour:
            fill = ET.SubElement(symbolizer, f"{{{_SE}}}Fill")
            ET.SubElement(fill, f"{{{_SE}}}SvgParameter", name="fill").text = colour
        stroke = ET.SubElement(symbolizer, f"{{{_SE}}}Stroke")
        ET.SubElement(stroke, f"{{{_SE}}}SvgParameter", name="stroke").text = style.colour
    else:
        symbolizer = ET.SubElement(rule, f"{{{_SE}}}LineSymbolizer")
        stroke = ET.SubElement(symbolizer, f"{{{_SE}}}Stroke")
        ET.SubElement(stroke, f"{{{_SE}}}SvgParameter", name="stroke").text = colour or style.colour
    width = style.width_mm / 0.28  # SLD widths are in its standard pixels of 0.28 mm
    ET.SubElement(stroke, f"{{{_SE}}}SvgParameter", name="stroke-width").text = f"{width:.2f}"


def _sld_filter(rule: ET.Element, field: str, low: object, high: object = None) -> None:
    where = ET.SubElement(rule, f"{{{_OGC}}}Filter")
    if high is None or high == low:
        test = ET.SubElement(where, f"{{{_OGC}}}PropertyIsEqualTo")
        ET.SubElement(test, f"{{{_OGC}}}PropertyName").text = field
        ET.SubElement(test, f"{{{_OGC}}}Literal").text = str(low)
        return
    both = ET.SubElement(where, f"{{{_OGC}}}And")
    for name, value in (("PropertyIsGreaterThanOrEqualTo", low), ("PropertyIsLessThan", high)):
        test = ET.SubElement(both, f"{{{_OGC}}}{name}")
        ET.SubElement(test, f"{{{_OGC}}}PropertyName").text = field
        ET.SubElement(test, f"{{{_OGC}}}Literal").text = f"{value:g}"


def sld(name: str, style: Style) -> str:
    """The style as an OGC Styled Layer Descriptor (SLD 1.1) for the layer ``name``."""
    for prefix, uri in (("sld", _SLD), ("se", _SE), ("ogc", _OGC)):
        ET.register_namespace(prefix, uri)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", version="1.1.0")
    layer = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    ET.SubElement(layer, f"{{{_SE}}}Name").text = name
    feature_style = ET.SubElement(
        ET.SubElement(layer, f"{{{_SLD}}}UserStyle"), f"{{{_SE}}}FeatureTypeStyle"
    )
    rules: list[tuple[str, object, object, str | None]] = [
        (label, value, None, colour) for value, colour, label in style.categories
    ] + [(label, lower, upper, colour) for lower, upper, colour, label in style.ranges]
    for label, low, high, colour in rules or [(name, None, None, None)]:
        rule = ET.SubElement(feature_style, f"{{{_SE}}}Rule")
        ET.SubElement(rule, f"{{{_SE}}}Name").text = label
        if style.field and low is not None:
            _sld_filter(rule, style.field, low, high)
        _sld_symbolizer(rule, style, colour)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
