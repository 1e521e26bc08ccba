"""Arrow routing for the course map: the grid's gutters and channels, and paths.

The map (:mod:`coursebuild.mapgraph`) sets topics on a grid of five columns
with vertical gutters between them and a channel between each two rows; this
module owns that grid's geometry and routes the prerequisite arrows through
it.  An edge between neighbours in a row is a short sideways curve; one
between farther nodes in a row is an arc over the row; one between rows
crosses the channel below the upper row, and one that skips rows runs down
a gutter in a lane of its own.  Ends are spread along a node's side and
overlapping sideways runs in one channel get separate tracks, so edges
never cross a node.  Bends are quarter-ellipse Bézier curves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .mapgraph import _Node, _Row

__all__ = [
    "BAND_GAP", "BAND_PAD_BOTTOM", "BAND_PAD_X", "COLS", "COL_GAP", "MARGIN",
    "NODE_W", "ROW_GAP", "VIEW_W", "col_x", "edge_path", "num", "route_edges",
]


# Grid geometry, in viewBox units.  Five columns of 180 fit 1200 units with
# gutters between them that are wide enough for several parallel edges.
VIEW_W, MARGIN, COLS = 1200, 12, 5
BAND_PAD_X, COL_GAP = 28, 55          # outer and inner gutters
ROW_GAP = 42                          # channel between rows where edges turn
BAND_PAD_BOTTOM, BAND_GAP = 18, 18
NODE_W = (VIEW_W - 2 * MARGIN - 2 * BAND_PAD_X - (COLS - 1) * COL_GAP) / COLS

# Routing: spacing of lanes, tracks and ends, and the shape of bends.
LANE_STEP = TRACK_STEP = 5            # spacing of parallel runs
PORT_STEP = 14                        # spacing of edge ends on a node's side
CORNER = 80                           # widest sideways reach of a bend
SMALL_DX = 30                         # a smaller sideways step needs no track
ELLIPSE = 0.55                        # cubic handle of a quarter ellipse


def num(value: float) -> str:
    """Format a coordinate compactly and deterministically."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def col_x(col: int) -> float:
    """The left edge of a node in column ``col``."""
    return MARGIN + BAND_PAD_X + col * (NODE_W + COL_GAP)


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
    implied: bool = False     # another chain of prerequisites already leads here


# --- Routing ----------------------------------------------------------------

def route_edges(nodes: list[_Node], rows: list[_Row]) -> list[_Edge]:
    """Route one edge per prerequisite: its gutter lane, its ends, its tracks."""
    edges = _make_edges(nodes)
    _mark_implied(edges)
    _route_gutters(edges, rows)
    _assign_ports(edges)
    _assign_tracks(edges, rows)
    return edges


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


def _mark_implied(edges: list[_Edge]) -> None:
    """Flag the edges outside the transitive reduction: a → c when a → … → c exists."""
    succ: dict[int, list[int]] = defaultdict(list)
    for edge in edges:
        succ[edge.src.number].append(edge.dst.number)
    reach: dict[int, int] = {}  # node → bitset of the nodes it leads to

    def reachable(start: int) -> int:
        # Iterative post-order depth-first search: no recursion limit on large courses;
        # a cycle (reported elsewhere) only makes the answer approximate.
        if start in reach:
            return reach[start]
        stack = [(start, iter(succ.get(start, ())))]
        on_path = {start}
        while stack:
            node, todo = stack[-1]
            nxt = next(todo, None)
            if nxt is None:
                stack.pop()
                on_path.discard(node)
                bits = 0
                for child in succ.get(node, ()):
                    bits |= (1 << child) | reach.get(child, 0)
                reach[node] = bits
            elif nxt not in reach and nxt not in on_path:
                on_path.add(nxt)
                stack.append((nxt, iter(succ.get(nxt, ()))))
        return reach[start]

    for edge in edges:
        others = [n for n in succ[edge.src.number] if n != edge.dst.number]
        target = 1 << edge.dst.number
        edge.implied = any(reachable(n) & target for n in others)


def _span(edge: _Edge, rows: list[_Row]) -> tuple[float, float]:
    """Top and bottom of the run down a gutter past the skipped rows."""
    upper, lower = sorted((edge.src.row, edge.dst.row))
    return rows[upper + 1].top, rows[lower - 1].bottom


def _route_gutters(edges: list[_Edge], rows: list[_Row]) -> None:
    """Send row-skipping edges down the nearest gutter, each in a free lane."""
    inner = [col_x(c) + NODE_W + COL_GAP / 2 for c in range(COLS - 1)]
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


# --- Paths ------------------------------------------------------------------

def _crossing_path(c: _Crossing) -> str:
    """Quarter-ellipse bend onto the track, along it, and a bend off it."""
    dx = c.x2 - c.x1
    if abs(dx) < SMALL_DX:
        mid = num((c.y1 + c.y2) / 2)
        return f"C{num(c.x1)},{mid} {num(c.x2)},{mid} {num(c.x2)},{num(c.y2)}"
    reach = (1 if dx > 0 else -1) * min(abs(dx) / 2, CORNER)
    x1, x2, t = num(c.x1), num(c.x2), num(c.track)
    return (f"C{x1},{num(c.y1 + ELLIPSE * (c.track - c.y1))} "
            f"{num(c.x1 + reach * (1 - ELLIPSE))},{t} {num(c.x1 + reach)},{t} "
            f"L{num(c.x2 - reach)},{t} C{num(c.x2 - reach * (1 - ELLIPSE))},{t} "
            f"{x2},{num(c.y2 - ELLIPSE * (c.y2 - c.track))} {x2},{num(c.y2)}")


def edge_path(edge: _Edge) -> str:
    """The path data of one edge."""
    src, dst = edge.src, edge.dst
    if edge.kind == "side":
        x1 = src.x + NODE_W if dst.col > src.col else src.x
        x2 = dst.x if dst.col > src.col else dst.x + NODE_W
        y, bend = num(src.y + src.h / 2), (x2 - x1) / 2
        return f"M{num(x1)},{y} C{num(x1 + bend)},{y} {num(x2 - bend)},{y} {num(x2)},{y}"
    if edge.kind == "arc":
        # Wider spans rise higher, so arcs nest instead of overlapping.
        top = num(src.y - min(ROW_GAP * 0.45, 4 + 4 * abs(dst.col - src.col)) / 0.75)
        return (f"M{num(edge.start)},{num(src.y)} C{num(edge.start)},{top} "
                f"{num(edge.end)},{top} {num(edge.end)},{num(dst.y)}")
    parts: list[str] = []
    for crossing in edge.crossings:
        parts.append(f"{'L' if parts else 'M'}{num(crossing.x1)},{num(crossing.y1)}")
        parts.append(_crossing_path(crossing))
    return " ".join(parts)
