"""The course map: an SVG drawing of a course's prerequisite graph.

Drawn at build time, so the site needs no client-side library.  Blocks are
bands stacked top to bottom; each holds its topics left to right on a fixed
five-column grid, wrapping onto further rows.  The grid leaves vertical
gutters between columns: edges that skip rows run down a gutter, and sideways
runs get separate tracks in the channel between two rows, so edges never
cross a node.  Colours come only from CSS custom properties with
fallbacks that work in light and dark mode.

This module holds the public API, wraps titles, lays out bands, rows and
nodes, and assembles the SVG; :mod:`coursebuild.maproutes` owns the grid's
geometry and routes the arrows.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .maproutes import (
    BAND_GAP, BAND_PAD_BOTTOM, BAND_PAD_X, COLS, MARGIN, NODE_W, ROW_GAP, VIEW_W,
    col_x, edge_path, num, route_edges,
)

__all__ = ["MapBlock", "MapTopic", "render_map"]


@dataclass(frozen=True)
class MapTopic:
    """One topic: ``url`` is root-relative, ``prerequisites`` are slugs."""

    slug: str
    title: str
    url: str
    prerequisites: tuple[str, ...]


@dataclass(frozen=True)
class MapBlock:
    """A block of the learning path with its topics in order."""

    title: str
    slug: str
    topics: tuple[MapTopic, ...]


# Text and labels, in viewBox units; the grid itself is in maproutes.
LABEL_H = 52                          # block label, plus headroom for arcs
FONT, LABEL_FONT, NUM_FONT = 15, 17, 11   # the page never scales the map below ~85 %
LINE_H, PAD_Y = 19, 10
TEXT_LEFT, TEXT_RIGHT = 30, 10        # the left side holds the topic's number
MIN_LINES = 2                         # a common minimum keeps rows even; no maximum
EM_PER_CHAR = 0.58                    # typical advance of a sans-serif letter

_ID = "course-map"
# Advances (in em) that differ most from EM_PER_CHAR, erring wide.
_EMS = {**dict.fromkeys("ijl.,;:'!|", 0.3), **dict.fromkeys("frt()[]- /", 0.4),
        **dict.fromkeys("mwMW@%<>=+~&#", 0.95)}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Defaults only: the site sets the custom properties.  Canvas/CanvasText and
# translucent greys follow the page's colour scheme, so they suit both modes.
_STYLE = """
.course-map{font-family:var(--map-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif)}
.course-map .map-block-band{fill:var(--map-block-bg,rgba(128,128,128,.1));fill-opacity:1}
.course-map .map-block-label{fill:var(--map-block-fg,currentColor);font-weight:700;\
stroke:var(--map-node-bg,Canvas);stroke-width:4px;stroke-linejoin:round;paint-order:stroke}
.course-map .map-node-box{fill:var(--map-node-bg,Canvas);\
stroke:var(--map-node-border,rgba(128,128,128,.75));stroke-width:1.5px}
.course-map .map-node-label,.course-map .map-node-num,.course-map .map-empty{\
fill:var(--map-node-fg,CanvasText)}
.course-map .map-node-num{opacity:.6}
.course-map .map-edge{fill:none;stroke:var(--map-edge,rgba(128,128,128,.9));stroke-width:1.5px}
.course-map .map-edge.is-implied{display:none}
.course-map.show-all .map-edge.is-implied{display:inline;stroke-dasharray:4 3}
.course-map .map-arrow{fill:var(--map-edge,rgba(128,128,128,.9))}
.course-map .map-arrow-lit{fill:var(--map-focus,currentColor)}
.course-map .map-node.is-finished .map-node-box{fill:var(--map-done-bg,rgba(46,160,67,.22))}
.course-map .map-node:focus .map-node-box,.course-map .map-node:hover .map-node-box{\
stroke:var(--map-focus,currentColor);stroke-width:3px}
.course-map .map-node:focus{outline:none}
"""


@dataclass
class _Node:
    topic: MapTopic
    number: int          # 1-based position on the learning path
    row: int             # index into the list of all rows
    col: int
    x: float
    y: float
    h: float
    lines: list[str]

    @property
    def cx(self) -> float:
        return self.x + NODE_W / 2


@dataclass
class _Row:
    top: float
    bottom: float
    band: int


@dataclass
class _Band:
    block: MapBlock
    top: float
    height: float = 0.0
    nodes: list[_Node] = field(default_factory=list)


# --- Text -------------------------------------------------------------------

def _esc(text: str) -> str:
    """Escape for text and attribute values; drop characters XML forbids."""
    return html.escape(_XML_INVALID.sub("", text), quote=True)


@lru_cache(maxsize=4096)  # titles repeat their letters: measuring is the map's hot loop
def _char_ems(ch: str) -> float:
    """Rough advance of one character: CJK takes a full em."""
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    return _EMS.get(ch, 0.7 if ch.isupper() else EM_PER_CHAR)


def _text_width(text: str, size: float = FONT) -> float:
    return size * sum(map(_char_ems, text))


def _tokens(text: str, max_w: float) -> Iterator[tuple[str, bool]]:
    """Yield (piece, space before): words, split after hyphens, then hard-split."""
    for w_index, word in enumerate(text.split()):
        for p_index, part in enumerate(re.split(r"(?<=[-/])(?=.)", word)):
            space = w_index > 0 and p_index == 0
            while len(part) > 1 and _text_width(part) > max_w:
                cut = len(part) - 1
                while cut > 1 and _text_width(part[:cut]) > max_w:
                    cut -= 1
                yield part[:cut], space
                part, space = part[cut:], False
            yield part, space


def _ellipsize(line: str, max_w: float, size: float = FONT) -> str:
    """Shorten ``line`` until it fits with a trailing ellipsis."""
    line = line.rstrip()
    while line and _text_width(line + "…", size) > max_w:
        line = line[:-1].rstrip()
    return line.rstrip(" -/,;:") + "…"


def _wrap(text: str, max_w: float) -> list[str]:
    """Greedy word wrap; a row's boxes grow to its longest title, so nothing is cut."""
    lines, current = [], ""
    for piece, space in _tokens(text, max_w):
        trial = current + (" " if space and current else "") + piece
        if current and _text_width(trial) > max_w:
            lines.append(current)
            trial = piece
        current = trial
    lines.append(current)
    return lines


# --- Layout -----------------------------------------------------------------

def _layout(blocks: Sequence[MapBlock]) -> tuple[list[_Band], list[_Row], float]:
    """Place bands, rows and nodes; return them with the total height."""
    bands: list[_Band] = []
    rows: list[_Row] = []
    text_w = NODE_W - TEXT_LEFT - TEXT_RIGHT
    y, number = float(MARGIN), 0
    for block in blocks:
        band = _Band(block, y)
        y += LABEL_H
        for first in range(0, len(block.topics), COLS):
            chunk = block.topics[first:first + COLS]
            wrapped = [_wrap(t.title.strip() or t.slug, text_w) for t in chunk]
            height = 2 * PAD_Y + LINE_H * max(MIN_LINES, *map(len, wrapped))
            for col, (topic, lines) in enumerate(zip(chunk, wrapped)):
                number += 1
                band.nodes.append(_Node(topic, number, len(rows), col, col_x(col),
                                        y, height, lines))
            rows.append(_Row(y, y + height, len(bands)))
            y += height + ROW_GAP
        y += BAND_PAD_BOTTOM - (ROW_GAP if block.topics else LABEL_H / 2)
        band.height = y - band.top
        bands.append(band)
        y += BAND_GAP
    return bands, rows, y - BAND_GAP + MARGIN


# --- SVG --------------------------------------------------------------------

def _svg_open(height: float, count: int) -> list[str]:
    """The root element, its accessible name, default styles and the arrowhead."""
    noun = "topic" if count == 1 else "topics"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="course-map" '
        f'viewBox="0 0 {VIEW_W} {num(height)}" role="group" '
        f'aria-labelledby="{_ID}-title" aria-describedby="{_ID}-desc">',
        f'<title id="{_ID}-title">Course map: prerequisite graph of {count} {noun}</title>',
        f'<desc id="{_ID}-desc">Topics grouped by block in learning-path order; '
        "arrows point from each prerequisite to the topic that needs it.</desc>",
        f"<style>{_STYLE}</style>",
        f'<defs aria-hidden="true"><marker id="{_ID}-arrow" viewBox="0 0 10 10" '
        'refX="10" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto">'
        '<path class="map-arrow" d="M0,1 L10,5 L0,9 z" fill="currentColor"/></marker>'
        # The same arrowhead in the highlight colour, for the map page's script.
        f'<marker id="{_ID}-arrow-lit" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="11" '
        'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto">'
        '<path class="map-arrow-lit" d="M0,1 L10,5 L0,9 z" fill="currentColor"/></marker></defs>',
    ]


def _node_svg(node: _Node) -> str:
    """One topic: a link holding its box, number and wrapped title."""
    topic = node.topic
    first = node.y + node.h / 2 - len(node.lines) * LINE_H / 2 + LINE_H * 0.72
    spans = "".join(
        f'<tspan x="{num(node.x + TEXT_LEFT)}" y="{num(first + i * LINE_H)}">'
        f"{_esc(line)}</tspan>" for i, line in enumerate(node.lines))
    # Presentation attributes are fallbacks for when the <style> is stripped.
    return (
        f'<a href="{_esc(topic.url)}" class="map-node" data-slug="{_esc(topic.slug)}">'
        f"<title>{_esc(topic.title)}</title>"
        f'<rect class="map-node-box" x="{num(node.x)}" y="{num(node.y)}" '
        f'width="{num(NODE_W)}" height="{num(node.h)}" rx="6" '
        'fill="none" stroke="currentColor"/>'
        f'<text class="map-node-num" x="{num(node.x + 9)}" y="{num(first)}" '
        f'font-size="{NUM_FONT}" fill="currentColor" aria-hidden="true">{node.number}</text>'
        f'<text class="map-node-label" font-size="{FONT}" fill="currentColor">{spans}</text>'
        "</a>")


def _band_svg(band: _Band) -> list[str]:
    """A block's group: its label, then its nodes in learning-path order."""
    block = band.block
    room = VIEW_W - 2 * (MARGIN + BAND_PAD_X)
    name = label = block.title.strip() or block.slug
    if _text_width(label, LABEL_FONT) > room:
        label = _ellipsize(label, room, LABEL_FONT)
    return [
        f'<g class="map-block" data-block="{_esc(block.slug)}" role="group" '
        f'aria-label="{_esc(name)}">',
        f'<text class="map-block-label" x="{MARGIN + BAND_PAD_X}" y="{num(band.top + 25)}" '
        f'font-size="{LABEL_FONT}" fill="currentColor" aria-hidden="true">{_esc(label)}</text>',
        *map(_node_svg, band.nodes),
        "</g>",
    ]


def render_map(blocks: Sequence[MapBlock]) -> str:
    """Return one <svg> element (a string) drawing the graph."""
    bands, rows, height = _layout(blocks)
    nodes = [node for band in bands for node in band.nodes]
    if not nodes:
        return "\n".join([*_svg_open(60, 0), '<text class="map-empty" x="20" y="36" '
                          'font-size="16" fill="currentColor">This course has no topics '
                          "yet.</text>", "</svg>"])
    edges = route_edges(nodes, rows)
    # Paint bands, then edges, then blocks, so no edge hides a label or node.
    parts = [*_svg_open(height, len(nodes)), '<g class="map-bands" aria-hidden="true">']
    parts.extend(
        f'<rect class="map-block-band" x="{MARGIN}" y="{num(b.top)}" '
        f'width="{VIEW_W - 2 * MARGIN}" height="{num(b.height)}" rx="10" '
        'fill="currentColor" fill-opacity="0.06"/>' for b in bands)
    parts.append('</g>\n<g class="map-edges" aria-hidden="true">')
    # An edge another path already implies (a → b → c makes a → c redundant) is
    # drawn but hidden until the reader asks for all of them.
    parts.extend(
        f'<path class="map-edge{" is-implied" if e.implied else ""}" data-from="{_esc(e.src.topic.slug)}" '
        f'data-to="{_esc(e.dst.topic.slug)}" d="{edge_path(e)}" fill="none" '
        f'stroke="currentColor" marker-end="url(#{_ID}-arrow)"/>' for e in edges)
    parts.append("</g>")
    for band in bands:
        parts.extend(_band_svg(band))
    parts.append("</svg>")
    return "\n".join(parts)
