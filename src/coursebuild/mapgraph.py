"""The course map: an SVG drawing of a course's prerequisite graph.

Drawn at build time, so the site needs no client-side library.  Blocks are
bands stacked top to bottom; each holds its topics left to right on a fixed
five-column grid, wrapping onto further rows.  The grid leaves vertical
gutters between columns: edges that skip rows run down a gutter, and sideways
runs get separate tracks in the channel between two rows, so edges never
cross a node.  Colours come only from CSS custom properties with
fallbacks that work in light and dark mode.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

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


# Geometry, in viewBox units.  Five columns of 180 fit 1200 units with gutters
# between them that are wide enough for several parallel edges.
VIEW_W, MARGIN, COLS = 1200, 12, 5
BAND_PAD_X, COL_GAP = 28, 55          # outer and inner gutters
LABEL_H = 52                          # block label, plus headroom for arcs
ROW_GAP = 42                          # channel between rows where edges turn
BAND_PAD_BOTTOM, BAND_GAP = 18, 18
NODE_W = (VIEW_W - 2 * MARGIN - 2 * BAND_PAD_X - (COLS - 1) * COL_GAP) / COLS
FONT, LABEL_FONT, NUM_FONT = 14, 16, 11   # titles stay readable at 1200 wide
LINE_H, PAD_Y = 18, 10
TEXT_LEFT, TEXT_RIGHT = 30, 10        # the left side holds the topic's number
MIN_LINES, MAX_LINES = 2, 3           # a common minimum keeps rows even
EM_PER_CHAR = 0.58                    # typical advance of a sans-serif letter
LANE_STEP = TRACK_STEP = 5            # spacing of parallel runs
PORT_STEP = 14                        # spacing of edge ends on a node's side
CORNER = 80                           # widest sideways reach of a bend
SMALL_DX = 30                         # a smaller sideways step needs no track
ELLIPSE = 0.55                        # cubic handle of a quarter ellipse

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
.course-map .map-arrow{fill:var(--map-edge,rgba(128,128,128,.9))}
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


@dataclass
class _Crossing:
    """An edge's pass through the channel below row ``channel``."""

    channel: int
    x1: float
    y1: float
    x2: float
    y2: float
    track: float = 0.0   # height of the sideways run


@dataclass
class _Edge:
    src: _Node
    dst: _Node
    kind: str                 # "side", "arc", "down" or "up"
    via: float | None = None  # x of the run down a gutter, if rows are skipped
    start: float = 0.0        # x of the end on the source
    end: float = 0.0          # x of the end on the target
    crossings: list[_Crossing] = field(default_factory=list)


# --- Text -------------------------------------------------------------------

def _esc(text: str) -> str:
    """Escape for text and attribute values; drop characters XML forbids."""
    return html.escape(_XML_INVALID.sub("", text), quote=True)


def _num(value: float) -> str:
    """Format a coordinate compactly and deterministically."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


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
    """Greedy word wrap onto at most MAX_LINES lines, truncating with "…"."""
    lines, current = [], ""
    for piece, space in _tokens(text, max_w):
        trial = current + (" " if space and current else "") + piece
        if current and _text_width(trial) > max_w:
            lines.append(current)
            trial = piece
        current = trial
    lines.append(current)
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES - 1] + [_ellipsize(lines[MAX_LINES - 1], max_w)]
    return lines


# --- Layout -----------------------------------------------------------------

def _col_x(col: int) -> float:
    return MARGIN + BAND_PAD_X + col * (NODE_W + COL_GAP)


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
                band.nodes.append(_Node(topic, number, len(rows), col, _col_x(col),
                                        y, height, lines))
            rows.append(_Row(y, y + height, len(bands)))
            y += height + ROW_GAP
        y += BAND_PAD_BOTTOM - (ROW_GAP if block.topics else LABEL_H / 2)
        band.height = y - band.top
        bands.append(band)
        y += BAND_GAP
    return bands, rows, y - BAND_GAP + MARGIN


# --- Edge routing -----------------------------------------------------------

def _make_edges(nodes: list[_Node]) -> list[_Edge]:
    """One edge per distinct, known prerequisite, in learning-path order."""
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
            if src.row == dst.row:
                kind = "side" if abs(src.col - dst.col) == 1 else "arc"
            else:
                kind = "down" if dst.row > src.row else "up"
            edges.append(_Edge(src, dst, kind))
    return edges


def _span(edge: _Edge, rows: list[_Row]) -> tuple[float, float]:
    """Top and bottom of the run down a gutter past the skipped rows."""
    upper, lower = sorted((edge.src.row, edge.dst.row))
    return rows[upper + 1].top, rows[lower - 1].bottom


def _route_gutters(edges: list[_Edge], rows: list[_Row]) -> None:
    """Send row-skipping edges down the nearest gutter, each in a free lane."""
    inner = [_col_x(c) + NODE_W + COL_GAP / 2 for c in range(COLS - 1)]
    gutters = [MARGIN + BAND_PAD_X / 2, *inner, VIEW_W - MARGIN - BAND_PAD_X / 2]
    chosen: list[tuple[int, tuple[float, float], int, _Edge]] = []
    for index, edge in enumerate(edges):
        if abs(edge.src.row - edge.dst.row) > 1:
            a, b = edge.src.cx, edge.dst.cx
            g = min(range(len(gutters)), key=lambda g: (
                abs(a - gutters[g]) + abs(gutters[g] - b), abs(gutters[g] - (a + b) / 2)))
            chosen.append((g, _span(edge, rows), index, edge))
    taken: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for g, (low, high), _, edge in sorted(chosen, key=lambda c: c[:3]):
        busy = {lane for a, b, lane in taken[g] if a < high and low < b}
        lane = min(set(range(len(busy) + 1)) - busy)
        taken[g].append((low, high, lane))
        # Lanes alternate right and left of the centre, wrapping when full.
        half = (BAND_PAD_X if g in (0, len(gutters) - 1) else COL_GAP) / 2
        lane %= 1 + 2 * int((half - 4) // LANE_STEP)
        edge.via = gutters[g] + LANE_STEP * ((lane + 1) // 2) * (1 if lane % 2 else -1)


def _assign_ports(edges: list[_Edge]) -> None:
    """Spread the edge ends on one side of a node, ordered by where they go."""
    sides: dict[tuple[int, str], list[tuple[float, int, _Edge, bool]]] = defaultdict(list)
    for index, edge in enumerate(edges):
        if edge.kind == "side":
            continue
        to_dst = edge.dst.cx if edge.via is None else edge.via
        to_src = edge.src.cx if edge.via is None else edge.via
        if edge.kind == "arc":
            # Arc ends go beyond the vertical edges' ends, on the side the arc
            # heads for; longer arcs take the outer ends, so arcs nest.
            span, right = abs(edge.dst.cx - edge.src.cx), edge.dst.cx > edge.src.cx
            outer, inner = 2 * VIEW_W - span, span - VIEW_W
            to_dst, to_src = (outer, inner) if right else (inner, outer)
        sides[edge.src.number, "bottom" if edge.kind == "down" else "top"].append(
            (to_dst, index, edge, True))
        sides[edge.dst.number, "bottom" if edge.kind == "up" else "top"].append(
            (to_src, index, edge, False))
    for ends in sides.values():
        ends.sort(key=lambda end: end[:2])
        step = min(PORT_STEP, NODE_W * 0.7 / max(1, len(ends) - 1))
        for position, (_, _, edge, is_start) in enumerate(ends):
            offset = (position - (len(ends) - 1) / 2) * step
            if is_start:
                edge.start = edge.src.cx + offset
            else:
                edge.end = edge.dst.cx + offset


def _plan_crossings(edge: _Edge, rows: list[_Row]) -> None:
    """Record the channels a vertical edge crosses (one, or two via a gutter)."""
    src, dst, down = edge.src, edge.dst, edge.kind == "down"
    y1 = src.y + src.h if down else src.y
    y2 = dst.y if down else dst.y + dst.h
    if edge.via is None:
        edge.crossings = [_Crossing(min(src.row, dst.row), edge.start, y1, edge.end, y2)]
        return
    near, far = _span(edge, rows) if down else _span(edge, rows)[::-1]
    first, last = (src.row, dst.row - 1) if down else (src.row - 1, dst.row)
    edge.crossings = [_Crossing(first, edge.start, y1, edge.via, near),
                      _Crossing(last, edge.via, far, edge.end, y2)]


def _track_order(c: _Crossing) -> tuple[int, float, float]:
    """Order runs so that taking the highest free track avoids crossings."""
    # A run heading right must pass below runs starting further right (one
    # heading left below those starting further left) or cut their descent.
    x_top, x_bottom = (c.x1, c.x2) if c.y1 < c.y2 else (c.x2, c.x1)
    return (0, -x_top, -x_bottom) if x_bottom > x_top else (1, x_top, x_bottom)


def _assign_tracks(edges: list[_Edge], rows: list[_Row]) -> None:
    """Give overlapping sideways runs in one channel different heights."""
    channels: dict[int, list[_Crossing]] = defaultdict(list)
    for edge in edges:
        if edge.kind in ("down", "up"):
            _plan_crossings(edge, rows)
        for crossing in edge.crossings:
            channels[crossing.channel].append(crossing)
    for channel, crossings in channels.items():
        top, bottom = rows[channel].bottom, rows[channel + 1].top
        if rows[channel].band != rows[channel + 1].band:
            # Between blocks, turn in the gap: clear of the next block's label.
            bottom = top + BAND_PAD_BOTTOM + BAND_GAP + 16
        low = top + 10
        used: list[list[tuple[float, float]]] = [
            [] for _ in range(1 + int((bottom - 10 - low) // TRACK_STEP))]
        for crossing in sorted(crossings, key=_track_order):
            lo, hi = sorted((crossing.x1, crossing.x2))
            free = [k for k, runs in enumerate(used)
                    if all(b < lo - 4 or hi + 4 < a for a, b in runs)]
            track = free[0] if free else min(range(len(used)), key=lambda k: len(used[k]))
            used[track].append((lo, hi))
            crossing.track = low + track * TRACK_STEP


def _crossing_path(c: _Crossing) -> str:
    """Quarter-ellipse bend onto the track, along it, and a bend off it."""
    dx = c.x2 - c.x1
    if abs(dx) < SMALL_DX:
        mid = _num((c.y1 + c.y2) / 2)
        return f"C{_num(c.x1)},{mid} {_num(c.x2)},{mid} {_num(c.x2)},{_num(c.y2)}"
    reach = (1 if dx > 0 else -1) * min(abs(dx) / 2, CORNER)
    x1, x2, t = _num(c.x1), _num(c.x2), _num(c.track)
    return (f"C{x1},{_num(c.y1 + ELLIPSE * (c.track - c.y1))} "
            f"{_num(c.x1 + reach * (1 - ELLIPSE))},{t} {_num(c.x1 + reach)},{t} "
            f"L{_num(c.x2 - reach)},{t} C{_num(c.x2 - reach * (1 - ELLIPSE))},{t} "
            f"{x2},{_num(c.y2 - ELLIPSE * (c.y2 - c.track))} {x2},{_num(c.y2)}")


def _path(edge: _Edge) -> str:
    """The path data of one edge."""
    src, dst = edge.src, edge.dst
    if edge.kind == "side":
        x1 = src.x + NODE_W if dst.col > src.col else src.x
        x2 = dst.x if dst.col > src.col else dst.x + NODE_W
        y, bend = _num(src.y + src.h / 2), (x2 - x1) / 2
        return f"M{_num(x1)},{y} C{_num(x1 + bend)},{y} {_num(x2 - bend)},{y} {_num(x2)},{y}"
    if edge.kind == "arc":
        # Wider spans rise higher, so arcs nest instead of overlapping.
        top = _num(src.y - min(ROW_GAP * 0.45, 4 + 4 * abs(dst.col - src.col)) / 0.75)
        return (f"M{_num(edge.start)},{_num(src.y)} C{_num(edge.start)},{top} "
                f"{_num(edge.end)},{top} {_num(edge.end)},{_num(dst.y)}")
    parts: list[str] = []
    for crossing in edge.crossings:
        parts.append(f"{'L' if parts else 'M'}{_num(crossing.x1)},{_num(crossing.y1)}")
        parts.append(_crossing_path(crossing))
    return " ".join(parts)


# --- SVG --------------------------------------------------------------------

def _svg_open(height: float, count: int) -> list[str]:
    """The root element, its accessible name, default styles and the arrowhead."""
    noun = "topic" if count == 1 else "topics"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="course-map" '
        f'viewBox="0 0 {VIEW_W} {_num(height)}" role="group" '
        f'aria-labelledby="{_ID}-title" aria-describedby="{_ID}-desc">',
        f'<title id="{_ID}-title">Course map: prerequisite graph of {count} {noun}</title>',
        f'<desc id="{_ID}-desc">Topics grouped by block in learning-path order; '
        "arrows point from each prerequisite to the topic that needs it.</desc>",
        f"<style>{_STYLE}</style>",
        f'<defs aria-hidden="true"><marker id="{_ID}-arrow" viewBox="0 0 10 10" '
        'refX="10" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto">'
        '<path class="map-arrow" d="M0,1 L10,5 L0,9 z" fill="currentColor"/></marker></defs>',
    ]


def _node_svg(node: _Node) -> str:
    """One topic: a link holding its box, number and wrapped title."""
    topic = node.topic
    first = node.y + node.h / 2 - len(node.lines) * LINE_H / 2 + LINE_H * 0.72
    spans = "".join(
        f'<tspan x="{_num(node.x + TEXT_LEFT)}" y="{_num(first + i * LINE_H)}">'
        f"{_esc(line)}</tspan>" for i, line in enumerate(node.lines))
    # Presentation attributes are fallbacks for when the <style> is stripped.
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
    """A block's group: its label, then its nodes in learning-path order."""
    block = band.block
    room = VIEW_W - 2 * (MARGIN + BAND_PAD_X)
    name = label = block.title.strip() or block.slug
    if _text_width(label, LABEL_FONT) > room:
        label = _ellipsize(label, room, LABEL_FONT)
    return [
        f'<g class="map-block" data-block="{_esc(block.slug)}" role="group" '
        f'aria-label="{_esc(name)}">',
        f'<text class="map-block-label" x="{MARGIN + BAND_PAD_X}" y="{_num(band.top + 25)}" '
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
    edges = _make_edges(nodes)
    _route_gutters(edges, rows)
    _assign_ports(edges)
    _assign_tracks(edges, rows)
    # Paint bands, then edges, then blocks, so no edge hides a label or node.
    parts = [*_svg_open(height, len(nodes)), '<g class="map-bands" aria-hidden="true">']
    parts.extend(
        f'<rect class="map-block-band" x="{MARGIN}" y="{_num(b.top)}" '
        f'width="{VIEW_W - 2 * MARGIN}" height="{_num(b.height)}" rx="10" '
        'fill="currentColor" fill-opacity="0.06"/>' for b in bands)
    parts.append('</g>\n<g class="map-edges" aria-hidden="true">')
    parts.extend(
        f'<path class="map-edge" data-from="{_esc(e.src.topic.slug)}" '
        f'data-to="{_esc(e.dst.topic.slug)}" d="{_path(e)}" fill="none" '
        f'stroke="currentColor" marker-end="url(#{_ID}-arrow)"/>' for e in edges)
    parts.append("</g>")
    for band in bands:
        parts.extend(_band_svg(band))
    parts.append("</svg>")
    return "\n".join(parts)
