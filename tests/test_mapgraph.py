"""Tests for coursebuild.mapgraph: the SVG course map, checked by parsing it."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import combinations

import pytest

from coursebuild.mapgraph import MapBlock, MapTopic, render_map

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "Q&A: <tags> \"quoted\" & 'single'"

WORDS = ("attention mechanism tokenizer embeddings gradient descent backpropagation "
         "regularization transformers convolution recurrent sequence-to-sequence "
         "optimisation evaluation metrics fine-tuning probability & <data>").split()


# --- Helpers ------------------------------------------------------------------

def topic(slug: str, title: str | None = None, *prereqs: str) -> MapTopic:
    return MapTopic(slug, title or slug.title(), f"/topics/{slug}/", tuple(prereqs))


def generated_course(n_blocks: int = 10, n_topics: int = 70, seed: int = 7) -> list[MapBlock]:
    """A course shaped like real ones: 0-4 prerequisites, mostly recent topics."""
    rng = random.Random(seed)
    blocks, slugs = [], []
    for b in range(n_blocks):
        size = n_topics // n_blocks + (b < n_topics % n_blocks)
        topics = []
        for _ in range(size):
            slug = f"topic-{len(slugs)}"
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 7)))
            pool = slugs[-15:]
            prereqs = rng.sample(pool, min(len(pool), rng.randint(0, 4)))
            topics.append(topic(slug, title.capitalize(), *prereqs))
            slugs.append(slug)
        blocks.append(MapBlock(f"Block {b + 1}", f"block-{b + 1}", tuple(topics)))
    return blocks


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def nodes(root: ET.Element) -> list[ET.Element]:
    return [a for a in root.iter(f"{SVG}a") if a.get("class") == "map-node"]


def edges(root: ET.Element) -> list[ET.Element]:
    return [p for p in root.iter(f"{SVG}path") if "map-edge" in p.get("class", "").split()]


def box(node: ET.Element) -> tuple[float, float, float, float]:
    rect = node.find(f"{SVG}rect")
    assert rect is not None and rect.get("class") == "map-node-box"
    return tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    return tuple(map(float, root.get("viewBox").split()))  # type: ignore


def path_points(d: str, steps: int = 24) -> list[tuple[float, float]]:
    """Sample points along path data made of M, L and C commands."""
    tokens = re.findall(r"[MLC]|-?\d+(?:\.\d+)?", d)
    points: list[tuple[float, float]] = []
    command, i = "", 0
    while i < len(tokens):
        if tokens[i] in "MLC":
            command, i = tokens[i], i + 1
        count = 6 if command == "C" else 2
        values = [float(v) for v in tokens[i:i + count]]
        i += count
        if command == "C":
            (x0, y0), (x1, y1, x2, y2, x3, y3) = points[-1], values
            for k in range(1, steps + 1):
                t = k / steps
                a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
                points.append((a * x0 + b * x1 + c * x2 + e * x3,
                               a * y0 + b * y1 + c * y2 + e * y3))
        elif command == "L" and points:
            (x0, y0), (x1, y1) = points[-1], values
            points.extend((x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps)
                          for k in range(1, steps + 1))
        else:
            points.append((values[0], values[1]))
    return points


def on_border(point: tuple[float, float], rect: tuple[float, float, float, float]) -> bool:
    (px, py), (x, y, w, h) = point, rect
    inside = x - 0.2 <= px <= x + w + 0.2 and y - 0.2 <= py <= y + h + 0.2
    return inside and min(abs(px - x), abs(px - x - w), abs(py - y), abs(py - y - h)) < 0.2


@pytest.fixture(scope="module")
def big() -> list[MapBlock]:
    return generated_course()


@pytest.fixture(scope="module")
def big_root(big: list[MapBlock]) -> ET.Element:
    return parse(render_map(big))


SMALL = [
    MapBlock("Getting started", "getting-started", (
        topic("welcome", "Welcome"),
        topic("setup", "Setting up your environment", "welcome"),
        topic("first-page", "Your first page", "welcome", "setup"),
    )),
    MapBlock("Writing topics", "writing-topics", (
        topic("markdown", "Markdown basics", "first-page"),
        topic("math", "Maths and equations", "markdown"),
        topic("figures", "Figures", "markdown", "welcome"),
    )),
]


# --- Structure ----------------------------------------------------------------

def test_root_is_scalable_accessible_svg(big_root: ET.Element) -> None:
    assert big_root.tag == f"{SVG}svg"
    assert big_root.get("width") is None and big_root.get("height") is None
    assert view_box(big_root)[:3] == (0, 0, 1200)
    assert big_root.get("role") == "group"
    title = big_root.find(f"{SVG}title")
    assert title is not None and title.get("id") == big_root.get("aria-labelledby")
    assert title.text == "Course map: prerequisite graph of 70 topics"
    desc = big_root.find(f"{SVG}desc")
    assert desc is not None and desc.get("id") == big_root.get("aria-describedby")


def test_every_topic_has_exactly_one_link(big: list[MapBlock], big_root: ET.Element) -> None:
    links = nodes(big_root)
    by_slug = Counter(a.get("data-slug") for a in links)
    topics = [t for block in big for t in block.topics]
    assert len(links) == len(topics) == 70
    for t in topics:
        assert by_slug[t.slug] == 1
        (link,) = [a for a in links if a.get("data-slug") == t.slug]
        assert link.get("href") == t.url
        assert link.find(f"{SVG}title").text == t.title
        children = [child.tag for child in link]
        assert children[:2] == [f"{SVG}title", f"{SVG}rect"]
        assert f"{SVG}text" in children


def test_one_edge_per_prerequisite(big: list[MapBlock], big_root: ET.Element) -> None:
    expected = Counter((p, t.slug) for b in big for t in b.topics for p in t.prerequisites)
    drawn = Counter((e.get("data-from"), e.get("data-to")) for e in edges(big_root))
    assert drawn == expected
    for edge in edges(big_root):
        assert edge.get("class") in ("map-edge", "map-edge is-implied")
        assert edge.get("marker-end") == "url(#course-map-arrow)"
        assert edge.get("d").startswith("M") and "C" in edge.get("d")


def test_edges_point_from_prerequisite_to_dependent(big_root: ET.Element) -> None:
    boxes = {a.get("data-slug"): box(a) for a in nodes(big_root)}
    for edge in edges(big_root):
        points = path_points(edge.get("d"))
        assert on_border(points[0], boxes[edge.get("data-from")])
        assert on_border(points[-1], boxes[edge.get("data-to")])


def test_edges_never_cross_a_node(big_root: ET.Element) -> None:
    rects = [box(a) for a in nodes(big_root)]
    for edge in edges(big_root):
        for px, py in path_points(edge.get("d")):
            for x, y, w, h in rects:
                assert not (x + 1 < px < x + w - 1 and y + 1 < py < y + h - 1), (
                    edge.get("data-from"), edge.get("data-to"), (px, py))


def test_nodes_sit_in_their_block_in_order(big: list[MapBlock], big_root: ET.Element) -> None:
    groups = [g for g in big_root.iter(f"{SVG}g") if g.get("class") == "map-block"]
    assert [g.get("data-block") for g in groups] == [b.slug for b in big]
    for group, block in zip(groups, big):
        assert [a.get("data-slug") for a in nodes(group)] == [t.slug for t in block.topics]
        label = [t for t in group.iter(f"{SVG}text") if t.get("class") == "map-block-label"]
        assert [t.text for t in label] == [block.title]


def test_learning_path_reads_left_to_right_then_down(big_root: ET.Element) -> None:
    positions = [box(a)[:2] for a in nodes(big_root)]
    for (x1, y1), (x2, y2) in zip(positions, positions[1:]):
        assert y2 > y1 or (y2 == y1 and x2 > x1)
    numbers = [t.text for t in big_root.iter(f"{SVG}text") if t.get("class") == "map-node-num"]
    assert numbers == [str(n) for n in range(1, 71)]


def test_edges_and_decorations_are_hidden_from_assistive_tech(big_root: ET.Element) -> None:
    hidden = [g for g in big_root.iter(f"{SVG}g") if g.get("aria-hidden") == "true"]
    assert sum(len(edges(g)) for g in hidden) == len(edges(big_root))
    assert any(g.get("class") == "map-bands" for g in hidden)


# --- Geometry -----------------------------------------------------------------

def test_no_two_nodes_overlap(big_root: ET.Element) -> None:
    boxes = [box(a) for a in nodes(big_root)]
    for (x1, y1, w1, h1), (x2, y2, w2, h2) in combinations(boxes, 2):
        assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1


def test_everything_is_inside_the_view_box(big_root: ET.Element) -> None:
    vx, vy, vw, vh = view_box(big_root)
    for x, y, w, h in map(box, nodes(big_root)):
        assert vx <= x and x + w <= vx + vw and vy <= y and y + h <= vy + vh
    for edge in edges(big_root):
        for px, py in path_points(edge.get("d")):
            assert vx <= px <= vx + vw and vy <= py <= vy + vh


def test_text_is_readable_and_wrapped_inside_boxes(big_root: ET.Element) -> None:
    assert view_box(big_root)[2] == 1200
    for link in nodes(big_root):
        x, y, w, h = box(link)
        label = [t for t in link.iter(f"{SVG}text") if t.get("class") == "map-node-label"][0]
        assert float(label.get("font-size")) >= 13
        spans = label.findall(f"{SVG}tspan")
        assert len(spans) >= 1
        assert " ".join(s.text for s in spans).replace("- ", "-").replace(" ", "") == \
            link.find(f"{SVG}title").text.replace(" ", "")  # the whole title, never cut
        for span in spans:
            assert x < float(span.get("x")) < x + w and y < float(span.get("y")) < y + h
            assert len(span.text) * 0.55 * 15 <= w - 20


def test_long_titles_wrap_whole_and_their_row_grows() -> None:
    long = "A very long topic title that keeps going well beyond three lines of text"
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    root = parse(render_map([MapBlock("B", "b", (topic("long", long), topic("w", word), topic("s", "Short")))]))
    first, second, third = [[s.text for s in a.iter(f"{SVG}tspan")] for a in nodes(root)]
    assert len(first) > 3 and " ".join(first) == long and "…" not in "".join(first)
    assert "".join(second) == word and len(second) > 1
    assert third == ["Short"]
    heights = {box(a)[3] for a in nodes(root)}
    assert len(heights) == 1 and heights.pop() >= len(first) * 19  # one row: even boxes
    assert nodes(root)[0].find(f"{SVG}title").text == long


def test_only_the_transitive_reduction_shows_by_default() -> None:
    blocks = [MapBlock("B", "b", (topic("a"), topic("b", "B", "a"), topic("c", "C", "b", "a"),
                                  topic("d", "D", "a")))]
    root = parse(render_map(blocks))
    implied = {(e.get("data-from"), e.get("data-to")) for e in edges(root) if "is-implied" in e.get("class")}
    assert implied == {("a", "c")}  # a → b → c already says it; a → d is the only way to d
    style = root.find(f"{SVG}style").text
    assert ".map-edge.is-implied{display:none}" in style and ".show-all .map-edge.is-implied" in style


def test_special_characters_are_escaped() -> None:
    blocks = [MapBlock(NASTY, "nasty-block", (
        MapTopic("a&b", NASTY, "/topics/a/?x=1&y=<2>", ()),
        MapTopic("c", "C'est \"ça\"", "/topics/c/", ("a&b",)),
    ))]
    svg = render_map(blocks)
    assert "<tags>" not in svg and "&lt;tags&gt;" in svg
    root = parse(svg)
    first, second = nodes(root)
    assert first.get("href") == "/topics/a/?x=1&y=<2>"
    assert first.get("data-slug") == "a&b"
    assert first.find(f"{SVG}title").text == NASTY
    assert "".join(first.itertext()).count("Q&A") == 2
    assert second.find(f"{SVG}title").text == "C'est \"ça\""
    (edge,) = edges(root)
    assert edge.get("data-from") == "a&b" and edge.get("data-to") == "c"
    group = [g for g in root.iter(f"{SVG}g") if g.get("class") == "map-block"][0]
    assert group.get("aria-label") == NASTY


def test_control_characters_do_not_break_the_xml() -> None:
    root = parse(render_map([MapBlock("B", "b", (topic("x", "Bell\x07 and tab\there"),))]))
    assert nodes(root)[0].find(f"{SVG}title").text == "Bell and tab\there"


# --- Edge cases ---------------------------------------------------------------

def test_empty_course_is_a_small_valid_svg() -> None:
    for blocks in ([], [MapBlock("Empty", "empty", ())]):
        root = parse(render_map(blocks))
        assert root.get("viewBox") and root.get("width") is None
        assert root.find(f"{SVG}title").text == "Course map: prerequisite graph of 0 topics"
        assert "no topics" in "".join(root.itertext())
        assert nodes(root) == []


def test_empty_block_between_others_keeps_its_label() -> None:
    blocks = [SMALL[0], MapBlock("Coming soon", "soon", ()), SMALL[1]]
    root = parse(render_map(blocks))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "map-block-label"]
    assert labels == ["Getting started", "Coming soon", "Writing topics"]
    assert len(nodes(root)) == 6


def test_unknown_duplicate_and_self_prerequisites_are_skipped() -> None:
    blocks = [MapBlock("B", "b", (
        topic("one"), topic("two", "Two", "one", "one", "ghost", "two"),
    ))]
    drawn = [(e.get("data-from"), e.get("data-to")) for e in edges(parse(render_map(blocks)))]
    assert drawn == [("one", "two")]


def test_later_prerequisite_is_drawn_upwards_without_crossing_nodes() -> None:
    blocks = [MapBlock("B", "b", tuple(
        topic(f"t{i}", None, *(["t12"] if i == 1 else [])) for i in range(13)))]
    root = parse(render_map(blocks))
    boxes = {a.get("data-slug"): box(a) for a in nodes(root)}
    (edge,) = edges(root)
    points = path_points(edge.get("d"))
    assert on_border(points[0], boxes["t12"]) and on_border(points[-1], boxes["t1"])
    for px, py in points:
        for x, y, w, h in boxes.values():
            assert not (x + 1 < px < x + w - 1 and y + 1 < py < y + h - 1)


def test_styles_use_classes_and_custom_properties() -> None:
    root = parse(render_map(SMALL))
    style = root.find(f"{SVG}style").text
    for prop in ("--map-node-bg", "--map-node-fg", "--map-node-border", "--map-edge",
                 "--map-block-bg", "--map-block-fg", "--map-done-bg"):
        assert f"var({prop}," in style
    assert ".map-node.is-finished .map-node-box" in style
    assert ".map-node:focus .map-node-box" in style and ".map-node:hover .map-node-box" in style
    colours = {el.get(attr) for el in root.iter() for attr in ("fill", "stroke")} - {None}
    assert colours <= {"none", "currentColor"}


# --- Determinism -------------------------------------------------------------
# (Speed is measured by benchmarks, run by hand, never by a timed test.)

def test_output_is_deterministic(big: list[MapBlock]) -> None:
    assert render_map(big) == render_map(generated_course()) == render_map(tuple(big))
    assert render_map(SMALL) == render_map(list(SMALL))
