"""The course map: an SVG drawing of a course's prerequisite graph.

The drawing is made at build time so the site needs no client-side library.
Blocks are horizontal bands stacked top to bottom in learning-path order;
each band holds its topics left to right on a fixed five-column grid,
wrapping onto further rows.  The fixed grid leaves vertical gutters between
the columns, and edges that skip rows travel down those gutters so they never
cross a node.  All colours come from CSS custom properties (with fallbacks
that work in light and dark mode), so the site's stylesheet stays in charge.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["MapBlock", "MapTopic", "render_map"]


@dataclass(frozen=True)
class MapTopic:
    """One topic (a node): ``url`` is root-relative, ``prerequisites`` are slugs."""

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


# --- Geometry (viewBox units) ------------------------------------------------
VIEW_W = 1200
MARGIN = 12
COLS = 5
BAND_PAD_X = 28      # outer gutters: wide enough for a few edge lanes
COL_GAP = 55         # inner gutters between columns
LABEL_H = 52         # block label, plus headroom for arcs over the first row
ROW_GAP = 42         # channel between rows: edges bend here
BAND_PAD_BOTTOM = 18
BAND_GAP = 18
NODE_W = (VIEW_W - 2 * MARGIN - 2 * BAND_PAD_X - (COLS - 1) * COL_GAP) / COLS
FONT = 14            # node titles; the brief asks for >= 13 at 1200 wide
LABEL_FONT = 16
NUM_FONT = 11
LINE_H = 18
PAD_Y = 10
TEXT_LEFT = 30       # room for the learning-path number on the left
TEXT_RIGHT = 10
MAX_LINES = 3
MIN_LINES = 2        # a uniform minimum keeps rows looking even
EM_PER_CHAR = 0.55   # average advance of a sans-serif character
LANE_STEP = 5        # spacing of parallel edges sharing a gutter
PORT_STEP = 14       # spacing of edge ends sharing one side of a node

_SVG_ID = "course-map"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_STYLE = """\
.course-map{font-family:var(--map-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif)}
.course-map .map-block-band{fill:var(--map-block-bg,rgba(128,128,128,.1));fill-opacity:1}
.course-map .map-block-label{fill:var(--map-block-fg,currentColor);font-weight:700;\
stroke:var(--map-node-bg,Canvas);stroke-width:4px;stroke-linejoin:round;paint-order:stroke}
.course-map .map-node-box{fill:var(--map-node-bg,Canvas);\
stroke:var(--map-node-border,rgba(128,128,128,.75));stroke-width:1.5px}
.course-map .map-node-label,.course-map .map-node-num{fill:var(--map-node-fg,CanvasText)}
.course-map .map-node-num{opacity:.6}
.course-map .map-edge{fill:none;stroke:var(--map-edge,rgba(128,128,128,.9));stroke-width:1.5px}
.course-map .map-arrow{fill:var(--map-edge,rgba(128,128,128,.9))}
.course-map .map-node.is-finished .map-node-box{fill:var(--map-done-bg,rgba(46,160,67,.22))}
.course-map .map-node:focus .map-node-box,.course-map .map-node:hover .map-node-box{\
stroke:var(--map-focus,currentColor);stroke-width:3px}
.course-map .map-node:focus{outline:none}
.course-map .map-empty{fill:var(--map-block-fg,currentColor)}"""


@dataclass
class _Node:
    topic: MapTopic
    number: int          # 1-based position on the learning path
    row: int             # global row index
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


@dataclass
class _Band:
    block: MapBlock
    top: float
    height: float
    nodes: list[_Node]


@dataclass
class _Edge:
    src: _Node
    dst: _Node
    kind: str                 # "side", "arc", "down" or "up"
    gutter: int = -1          # index into the gutter list when skipping rows
    via: float | None = None  # x of the vertical run in that gutter
    start: float = 0.0        # x of the source port
    end: float = 0.0          # x of the target port


# --- Text ----------------------------------------------------------------------

def _esc(text: str) -> str:
    """Escape for both text and attribute values; drop XML-illegal characters."""
    return html.escape(_XML_INVALID.sub("", text), quote=True)


def _num(value: float) -> str:
    """Format a coordinate compactly and deterministically."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text_width(text: str, size: float) -> float:
    """Estimate rendered width: wide (CJK) characters take a full em."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else EM_PER_CHAR
              for ch in text)
    return ems * size


def _tokens(text: str, max_w: float) -> Iterator[tuple[str, bool]]:
    """Yield (piece, space_before): words, split after hyphens, then hard-split."""
    for w_index, word in enumerate(text.split()):
        for p_index, part in enumerate(re.split(r"(?<=[-/])(?=.)", word)):
            space = w_index > 0 and p_index == 0
            while _text_width(part, FONT) > max_w and len(part) > 1:
                cut = len(part) - 1
                while cut > 1 and _text_width(part[:cut], FONT) > max_w:
                    cut -= 1
                yield part[:cut], space
                part, space = part[cut:], False
            yield part, space


def _ellipsize(line: str, max_w: float) -> str:
    """Shorten ``line`` until it fits with a trailing ellipsis."""
    line = line.rstrip()
    while line and _text_width(line + "…", FONT) > max_w:
        line = line[:-1].rstrip()
    return line.rstrip(" -/,;:") + "…"


def _wrap(text: str, max_w: float) -> list[str]:
    """Greedy word wrap onto at most MAX_LINES lines, truncating with "…"."""
    lines: list[str] = []
    current = ""
    for piece, space in _tokens(text, max_w):
        trial = current + (" " if space and current else "") + piece
        if current and _text_width(trial, FONT) > max_w:
            lines.append(current)
            current = piece
        else:
            current = trial
    lines.append(current)
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = _ellipsize(lines[-1], max_w)
    return lines


# --- Layout ----------------------------------------------------------------------

def _col_x(col: int) -> float:
    return MARGIN + BAND_PAD_X + col * (NODE_W + COL_GAP)


def _gutters() -> list[float]:
    """x of every vertical gutter: the band edges and between columns."""
    inner = [_col_x(c) + NODE_W + COL_GAP / 2 for c in range(COLS - 1)]
    return [MARGIN + BAND_PAD_X / 2, *inner, VIEW_W - MARGIN - BAND_PAD_X / 2]


def _layout(blocks: Sequence[MapBlock]) -> tuple[list[_Band], list[_Row], float]:
    """Place bands, rows and nodes; return them with the total height."""
    bands: list[_Band] = []
    rows: list[_Row] = []
    text_w = NODE_W - TEXT_LEFT - TEXT_RIGHT
    y = float(MARGIN)
    number = 0
    for block in blocks:
        band = _Band(block, y, 0.0, [])
        y += LABEL_H
        for first in range(0, len(block.topics), COLS):
            chunk = block.topics[first:first + COLS]
            wrapped = [_wrap(t.title.strip() or t.slug, text_w) for t in chunk]
            height = 2 * PAD_Y + LINE_H * max(MIN_LINES, *map(len, wrapped))
            for col, (topic, lines) in enumerate(zip(chunk, wrapped)):
                number += 1
                band.nodes.append(_Node(topic, number, len(rows), col,
                                        _col_x(col), y, height, lines))
            rows.append(_Row(y, y + height))
            y += height + ROW_GAP
        y += BAND_PAD_BOTTOM - (ROW_GAP if block.topics else LABEL_H / 2)
        band.height = y - band.top
        bands.append(band)
        y += BAND_GAP
    return bands, rows, y - BAND_GAP + MARGIN


# --- Edge routing ------------------------------------------------------------------

def _kind(src: _Node, dst: _Node) -> str:
    """How an edge is drawn, from the relative position of its ends."""
    if src.row == dst.row:
        return "side" if abs(src.col - dst.col) == 1 else "arc"
    return "down" if dst.row > src.row else "up"


def _make_edges(bands: list[_Band]) -> list[_Edge]:
    """One edge per distinct, resolvable prerequisite, in learning-path order."""
    nodes = [node for band in bands for node in band.nodes]
    by_slug: dict[str, _Node] = {}
    for node in nodes:
        by_slug.setdefault(node.topic.slug, node)
    edges: list[_Edge] = []
    seen: set[tuple[int, int]] = set()
    for dst in nodes:
        for slug in dst.topic.prerequisites:
            src = by_slug.get(slug)
            if src is None or src is dst or (src.number, dst.number) in seen:
                continue
            seen.add((src.number, dst.number))
            edges.append(_Edge(src, dst, _kind(src, dst)))
    return edges


def _skips_rows(edge: _Edge) -> bool:
    return abs(edge.src.row - edge.dst.row) > 1


def _span(edge: _Edge, rows: list[_Row]) -> tuple[float, float]:
    """Vertical extent of the gutter run of a row-skipping edge."""
    upper, lower = sorted((edge.src.row, edge.dst.row))
    return rows[upper + 1].top, rows[lower - 1].bottom


def _lane_offset(lane: int, half_width: float) -> float:
    """Lanes alternate right and left of the gutter's centre line."""
    count = 1 + 2 * int((half_width - 4) // LANE_STEP)
    lane %= count
    return LANE_STEP * ((lane + 1) // 2) * (1 if lane % 2 else -1)


def _route_gutters(edges: list[_Edge], rows: list[_Row]) -> None:
    """Send row-skipping edges down the nearest gutter, in separate lanes."""
    gutters = _gutters()
    for edge in filter(_skips_rows, edges):
        a, b = edge.src.cx, edge.dst.cx
        edge.gutter = min(range(len(gutters)), key=lambda g: (
            abs(a - gutters[g]) + abs(gutters[g] - b), abs(gutters[g] - (a + b) / 2), g))
    taken: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    routed = sorted((e for e in edges if e.gutter >= 0), key=lambda e: (
        e.gutter, _span(e, rows), e.src.number, e.dst.number))
    for edge in routed:
        low, high = _span(edge, rows)
        busy = {lane for a, b, lane in taken[edge.gutter] if a < high and low < b}
        lane = next(n for n in range(len(busy) + 1) if n not in busy)
        taken[edge.gutter].append((low, high, lane))
        edges_half = BAND_PAD_X / 2 if edge.gutter in (0, len(gutters) - 1) else COL_GAP / 2
        edge.via = gutters[edge.gutter] + _lane_offset(lane, edges_half)


def _assign_ports(edges: list[_Edge]) -> None:
    """Spread edge ends sharing a node side, ordered to avoid crossings."""
    sides: dict[tuple[int, str], list[tuple[float, int, _Edge, bool]]] = defaultdict(list)
    for index, edge in enumerate(edges):
        if edge.kind == "side":
            continue
        src_side = "bottom" if edge.kind == "down" else "top"
        dst_side = "bottom" if edge.kind == "up" else "top"
        toward_dst = edge.via if edge.via is not None else edge.dst.cx
        toward_src = edge.via if edge.via is not None else edge.src.cx
        sides[(edge.src.number, src_side)].append((toward_dst, index, edge, True))
        sides[(edge.dst.number, dst_side)].append((toward_src, index, edge, False))
    for (_, _), ends in sides.items():
        ends.sort(key=lambda end: (end[0], end[1]))
        step = min(PORT_STEP, NODE_W * 0.7 / max(1, len(ends) - 1))
        for position, (_, _, edge, is_start) in enumerate(ends):
            node = edge.src if is_start else edge.dst
            x = node.cx + (position - (len(ends) - 1) / 2) * step
            if is_start:
                edge.start = x
            else:
                edge.end = x


def _s_curve(x1: float, y1: float, x2: float, y2: float) -> str:
    """Cubic from (x1, y1) to (x2, y2), vertical at both ends."""
    mid = (y1 + y2) / 2
    return f"C{_num(x1)},{_num(mid)} {_num(x2)},{_num(mid)} {_num(x2)},{_num(y2)}"


def _path(edge: _Edge, rows: list[_Row]) -> str:
    """The SVG path data of one edge."""
    src, dst = edge.src, edge.dst
    if edge.kind == "side":
        x1 = src.x + NODE_W if dst.col > src.col else src.x
        x2 = dst.x if dst.col > src.col else dst.x + NODE_W
        y, bend = src.y + src.h / 2, (x2 - x1) / 2
        return (f"M{_num(x1)},{_num(y)} C{_num(x1 + bend)},{_num(y)} "
                f"{_num(x2 - bend)},{_num(y)} {_num(x2)},{_num(y)}")
    if edge.kind == "arc":
        # Nested arcs: wider spans rise higher, staying inside the channel.
        rise = min(ROW_GAP * 0.5, 12 + 5 * abs(dst.col - src.col)) / 0.75
        top = src.y - rise
        return (f"M{_num(edge.start)},{_num(src.y)} C{_num(edge.start)},{_num(top)} "
                f"{_num(edge.end)},{_num(top)} {_num(edge.end)},{_num(dst.y)}")
    down = edge.kind == "down"
    y1 = src.y + src.h if down else src.y
    y2 = dst.y if down else dst.y + dst.h
    if edge.via is None:
        return f"M{_num(edge.start)},{_num(y1)} " + _s_curve(edge.start, y1, edge.end, y2)
    near, far = _span(edge, rows) if down else _span(edge, rows)[::-1]
    return (f"M{_num(edge.start)},{_num(y1)} "
            + _s_curve(edge.start, y1, edge.via, near)
            + f" L{_num(edge.via)},{_num(far)} "
            + _s_curve(edge.via, far, edge.end, y2))


# --- SVG output --------------------------------------------------------------------

def _svg_open(height: float, count: int) -> list[str]:
    """The root element, accessible name, defaults and the arrowhead marker."""
    noun = "topic" if count == 1 else "topics"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="course-map" '
        f'viewBox="0 0 {VIEW_W} {_num(height)}" role="group" '
        f'aria-labelledby="{_SVG_ID}-title" aria-describedby="{_SVG_ID}-desc">',
        f'<title id="{_SVG_ID}-title">Course map: prerequisite graph of {count} {noun}</title>',
        f'<desc id="{_SVG_ID}-desc">Topics grouped by block in learning-path order; '
        'arrows point from a prerequisite to the topic that needs it.</desc>',
        f"<style>\n{_STYLE}\n</style>",
        f'<defs aria-hidden="true"><marker id="{_SVG_ID}-arrow" viewBox="0 0 10 10" '
        'refX="10" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto">'
        '<path class="map-arrow" d="M0,1 L10,5 L0,9 z" fill="currentColor"/>'
        "</marker></defs>",
    ]


def _node_svg(node: _Node) -> str:
    """One topic: a focusable link holding its box, number and wrapped title."""
    topic = node.topic
    first = node.y + node.h / 2 - len(node.lines) * LINE_H / 2 + LINE_H * 0.72
    label_x = _num(node.x + TEXT_LEFT)
    spans = "".join(
        f'<tspan x="{label_x}" y="{_num(first + i * LINE_H)}">{_esc(line)}</tspan>'
        for i, line in enumerate(node.lines))
    return (
        f'<a href="{_esc(topic.url)}" class="map-node" data-slug="{_esc(topic.slug)}">'
        f"<title>{_esc(topic.title)}</title>"
        f'<rect class="map-node-box" x="{_num(node.x)}" y="{_num(node.y)}" '
        f'width="{_num(NODE_W)}" height="{_num(node.h)}" rx="6" '
        'fill="none" stroke="currentColor"/>'
        f'<text class="map-node-num" x="{_num(node.x + 9)}" y="{_num(first)}" '
        f'font-size="{NUM_FONT}" fill="currentColor" aria-hidden="true">{node.number}</text>'
        f'<text class="map-node-label" font-size="{FONT}" fill="currentColor">{spans}</text>'
        "</a>")


def _band_svg(band: _Band) -> list[str]:
    """A block's group: its label and its nodes in learning-path order."""
    block = band.block
    room = VIEW_W - 2 * (MARGIN + BAND_PAD_X)
    label = block.title.strip() or block.slug
    if _text_width(label, LABEL_FONT) > room:
        label = _ellipsize(label, room * FONT / LABEL_FONT)
    parts = [
        f'<g class="map-block" data-block="{_esc(block.slug)}" role="group" '
        f'aria-label="{_esc(block.title)}">',
        f'<text class="map-block-label" x="{MARGIN + BAND_PAD_X}" '
        f'y="{_num(band.top + 28)}" font-size="{LABEL_FONT}" fill="currentColor" '
        f'aria-hidden="true">{_esc(label)}</text>',
    ]
    parts.extend(_node_svg(node) for node in band.nodes)
    parts.append("</g>")
    return parts


def _empty_svg() -> str:
    """A small, valid map for a course without topics."""
    lines = _svg_open(60, 0)
    lines.append('<text class="map-empty" x="20" y="36" font-size="16" '
                 'fill="currentColor">This course has no topics yet.</text>')
    lines.append("</svg>")
    return "\n".join(lines)


def render_map(blocks: Sequence[MapBlock]) -> str:
    """Return one <svg> element (a string) drawing the graph."""
    bands, rows, height = _layout(blocks)
    count = sum(len(band.nodes) for band in bands)
    if count == 0:
        return _empty_svg()
    edges = _make_edges(bands)
    _route_gutters(edges, rows)
    _assign_ports(edges)
    parts = _svg_open(height, count)
    # Bands first and edges next, so blocks and nodes are painted on top.
    parts.append('<g class="map-bands" aria-hidden="true">')
    parts.extend(
        f'<rect class="map-block-band" x="{MARGIN}" y="{_num(b.top)}" '
        f'width="{VIEW_W - 2 * MARGIN}" height="{_num(b.height)}" rx="10" '
        'fill="currentColor" fill-opacity="0.06"/>' for b in bands)
    parts.append("</g>")
    parts.append('<g class="map-edges" aria-hidden="true">')
    parts.extend(
        f'<path class="map-edge" data-from="{_esc(e.src.topic.slug)}" '
        f'data-to="{_esc(e.dst.topic.slug)}" d="{_path(e, rows)}" fill="none" '
        f'stroke="currentColor" marker-end="url(#{_SVG_ID}-arrow)"/>' for e in edges)
    parts.append("</g>")
    for band in bands:
        parts.extend(_band_svg(band))
    parts.append("</svg>")
    return "\n".join(parts)
