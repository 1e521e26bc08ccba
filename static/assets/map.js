/* coursebuild course map (loaded by map.html only). The map is a complete SVG
   drawn at build time; this adds highlighting of a topic's prerequisites and
   what it unlocks, "path to a topic" from the reader's finished topics, a block
   filter, all arrows on demand, and zoom. */
(function () {
  "use strict";

  var doc = document;
  var figure = doc.querySelector(".map-figure");
  var svg = figure && figure.querySelector("svg.course-map");
  if (!svg) return;
  function $$(sel, ctx) { return Array.prototype.slice.call((ctx || doc).querySelectorAll(sel)); }

  var nodes = {};
  $$("a.map-node", svg).forEach(function (n) { nodes[n.getAttribute("data-slug")] = n; });
  var edges = $$(".map-edge", svg);
  var up = {};
  var down = {};
  edges.forEach(function (e) {
    var from = e.getAttribute("data-from");
    var to = e.getAttribute("data-to");
    (down[from] = down[from] || []).push(to);
    (up[to] = up[to] || []).push(from);
  });

  /* Every topic reachable from ``slug`` along ``graph`` (breadth first). */
  function closure(slug, graph) {
    var seen = {};
    var queue = [slug];
    while (queue.length) {
      (graph[queue.shift()] || []).forEach(function (next) {
        if (!seen[next] && next !== slug) { seen[next] = true; queue.push(next); }
      });
    }
    return seen;
  }

  var MARKS = ["is-current", "is-ancestor", "is-descendant", "is-lit", "is-path"];
  function clear(marks) {
    marks.forEach(function (m) { $$("." + m, svg).forEach(function (x) { x.classList.remove(m); }); });
  }

  var pathTarget = "";
  var ARROW = "url(#course-map-arrow)";
  function light(slug) {
    $$(".map-edge.is-lit", svg).forEach(function (e) { e.setAttribute("marker-end", ARROW); });
    clear(MARKS.slice(0, 4));
    svg.classList.toggle("is-focusing", !!slug);
    if (!slug || !nodes[slug]) {
      svg.classList.toggle("is-focusing", !!pathTarget);
      return;
    }
    var before = closure(slug, up);
    var after = closure(slug, down);
    nodes[slug].classList.add("is-current");
    Object.keys(before).forEach(function (s) { if (nodes[s]) nodes[s].classList.add("is-ancestor"); });
    Object.keys(after).forEach(function (s) { if (nodes[s]) nodes[s].classList.add("is-descendant"); });
    edges.forEach(function (e) {
      var from = e.getAttribute("data-from");
      var to = e.getAttribute("data-to");
      if ((before[from] && (before[to] || to === slug)) || ((from === slug || after[from]) && after[to])) {
        e.classList.add("is-lit");
        e.setAttribute("marker-end", "url(#course-map-arrow-lit)");
      }
    });
  }

  function nodeOf(target) { return target.closest && target.closest("a.map-node"); }
  svg.addEventListener("pointerover", function (e) {
    var n = nodeOf(e.target);
    if (n) light(n.getAttribute("data-slug"));
  });
  svg.addEventListener("pointerleave", function () { light(""); });
  svg.addEventListener("focusin", function (e) {
    var n = nodeOf(e.target);
    if (n) light(n.getAttribute("data-slug"));
  });
  svg.addEventListener("focusout", function (e) {
    if (!e.relatedTarget || !svg.contains(e.relatedTarget)) light("");
  });

  /* ---------- Controls ------------------------------------------------- */

  var all = doc.querySelector("[data-map-all]");
  if (all) all.addEventListener("change", function () { svg.classList.toggle("show-all", all.checked); });

  var block = doc.querySelector("[data-map-block]");
  if (block) {
    block.addEventListener("change", function () {
      $$(".map-block", svg).forEach(function (g) {
        g.classList.toggle("is-dimmed", !!block.value && g.getAttribute("data-block") !== block.value);
      });
      var chosen = block.value && svg.querySelector('.map-block[data-block="' + CSS.escape(block.value) + '"]');
      if (chosen) chosen.scrollIntoView({ block: "start", inline: "nearest" });
    });
  }

  /* The reader's finished topics, as coursebuild.js keeps them. */
  function finished() {
    return window.coursebuildStore.load("finished", []) || [];
  }
  function titleOf(slug) {
    var t = nodes[slug] && nodes[slug].querySelector("title");
    return t ? t.textContent : slug;
  }
  function numberOf(slug) {
    var n = nodes[slug] && nodes[slug].querySelector(".map-node-num");
    return n ? parseInt(n.textContent, 10) : 0;
  }

  var pathSelect = doc.querySelector("[data-map-path]");
  var pathResult = doc.querySelector(".map-path-result");
  function showPath(slug) {
    clear(["is-path"]);
    pathTarget = slug;
    svg.classList.toggle("is-focusing", !!slug);
    if (!slug || !nodes[slug]) { if (pathResult) pathResult.textContent = ""; return; }
    var done = {};
    finished().forEach(function (s) { done[s] = true; });
    // Everything not yet finished that the topic needs, directly or not, in learning-path order.
    var needed = Object.keys(closure(slug, up)).filter(function (s) { return !done[s] && nodes[s]; });
    needed.sort(function (a, b) { return numberOf(a) - numberOf(b); });
    needed.concat([slug]).forEach(function (s) { nodes[s].classList.add("is-path"); });
    if (pathResult) {
      pathResult.textContent = done[slug] ? "You have finished “" + titleOf(slug) + "”." :
        !needed.length ? "You can start “" + titleOf(slug) + "” now: everything it needs is finished." :
        "To reach “" + titleOf(slug) + "”, read " + needed.length + (needed.length === 1 ? " topic" : " topics") +
        " first: " + needed.map(titleOf).join(", ") + ".";
    }
    nodes[slug].scrollIntoView({ block: "center", inline: "center" });
  }
  if (pathSelect) pathSelect.addEventListener("change", function () { showPath(pathSelect.value); });

  var zoom = 0;  // 0: the stylesheet's readable size; otherwise a width in viewBox units
  var VIEW = (svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width) || 1200;
  $$("[data-map-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      var how = button.getAttribute("data-map-zoom");
      var now = svg.getBoundingClientRect().width;
      if (how === "fit") {
        svg.style.minWidth = "0";
        svg.style.width = "100%";
        zoom = 0;
        return;
      }
      zoom = Math.max(figure.clientWidth * 0.5, Math.min(VIEW * 3, now * (how === "in" ? 1.25 : 0.8)));
      svg.style.minWidth = "0";
      svg.style.width = Math.round(zoom) + "px";
    });
  });
})();
