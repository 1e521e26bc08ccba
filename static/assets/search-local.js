/* coursebuild: search for portable sites (opened from disk, no server).
   Loaded by coursebuild.js only when a portable page opens search, after
   assets/search-index.js. It answers like Pagefind's API (search(q) →
   results with data()), so the search dialog and page work unchanged. */
(function () {
  "use strict";

  var base = document.documentElement.dataset.baseUrl || "./";
  var MARKS = /[\u0300-\u036f]/g;
  var SPLIT = /[^\p{L}\p{N}]+/u;
  var SUFFIXES = ["ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"];

  // Lower case without accents, one character for one, so positions found in
  // the folded text are positions in the original (for excerpts).
  function fold(s) {
    var out = s.toLowerCase().normalize("NFD").replace(MARKS, "");
    if (out.length === s.length) return out;
    return s.split("").map(function (c) {
      var f = c.toLowerCase().normalize("NFD").replace(MARKS, "");
      return f.length === 1 ? f : c;
    }).join("");
  }

  // A light English stemmer: "averaging" and "averages" both find "average".
  function stem(term) {
    for (var i = 0; i < SUFFIXES.length; i++) {
      var s = SUFFIXES[i];
      if (term.length - s.length >= 4 && term.slice(-s.length) === s) return term.slice(0, -s.length);
    }
    return term;
  }

  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  // Word counts per title and section, and the sorted vocabulary of the course:
  // a query word is looked up as a prefix in the vocabulary once, and then only
  // counts are added up, so a search does not rescan the text of every page.
  var words = {};
  function counts(folded) {
    var map = new Map();
    folded.split(SPLIT).forEach(function (w) {
      if (!w) return;
      map.set(w, (map.get(w) || 0) + 1);
      words[w] = true;
    });
    return map;
  }
  var pages = (window.coursebuildSearchIndex || []).map(function (p) {
    return {
      url: p[0], title: p[1], titleC: counts(fold(p[1])),
      sections: p[2].map(function (s) {
        return { anchor: s[0], title: s[1], text: s[2], titleC: counts(fold(s[1])),
          textC: counts(fold(s[2])), lowC: counts(fold(s[3])) };
      })
    };
  });
  var vocab = Object.keys(words).sort();
  words = null;

  // Words that start with ``term``: "mean" finds "means", not "remeasure".
  function expand(term) {
    var lo = 0;
    var hi = vocab.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (vocab[mid] < term) lo = mid + 1; else hi = mid;
    }
    var found = [];
    for (var i = lo; i < vocab.length && vocab[i].lastIndexOf(term, 0) === 0; i++) found.push(vocab[i]);
    return found;
  }
  function count(map, forms) {
    var n = 0;
    for (var i = 0; i < forms.length; i++) n += map.get(forms[i]) || 0;
    return n;
  }
  // For excerpts: the same prefix match, in the text itself.
  function matcher(term) { return new RegExp("(?:^|[^\\p{L}\\p{N}])(" + escapeRe(term) + ")", "gu"); }
  function saturate(x) { return x ? (3 * x) / (x + 2) : 0; }

  // Per word: a hit in the page title counts most, then section headings, then
  // the text (saturating, so repetition helps less), then side notes and references.
  function scorePage(page, res) {
    var perSection = page.sections.map(function () { return 0; });
    var termScores = res.map(function (r) {
      var termScore = count(page.titleC, r.forms) ? 8 : 0;
      page.sections.forEach(function (s, k) {
        var sec = 4 * Math.min(1, count(s.titleC, r.forms)) + saturate(count(s.textC, r.forms)) +
          0.4 * saturate(count(s.lowC, r.forms));
        perSection[k] += sec;
        termScore += sec;
      });
      if (termScore) r.df++;
      return termScore;
    });
    return { page: page, terms: termScores, sections: perSection, score: 0 };
  }

  function excerpt(text, res) {
    var folded = fold(text);
    var first = -1;
    res.forEach(function (r) {
      r.re.lastIndex = 0;
      var m = r.re.exec(folded);
      if (m) {
        var at = m.index + m[0].length - m[1].length;
        if (first < 0 || at < first) first = at;
      }
    });
    var start = Math.max(0, first - 60);
    if (start > 0) { var sp = text.indexOf(" ", start); start = sp >= 0 && sp < first ? sp + 1 : start; }
    var end = Math.min(text.length, start + 200);
    if (end < text.length) { var ep = text.lastIndexOf(" ", end); end = ep > first ? ep : end; }
    var piece = text.slice(start, end);
    var pieceF = folded.slice(start, end);
    var marks = [];
    res.forEach(function (r) {
      r.re.lastIndex = 0;
      var m;
      while ((m = r.re.exec(pieceF))) {
        var from = m.index + m[0].length - m[1].length;
        var to = from + m[1].length;
        while (to < pieceF.length && !SPLIT.test(pieceF.charAt(to))) to++;
        marks.push([from, to]);
      }
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var html = "";
    var pos = 0;
    marks.forEach(function (m) {
      if (m[0] < pos) return;
      html += escapeHtml(piece.slice(pos, m[0])) + "<mark>" + escapeHtml(piece.slice(m[0], m[1])) + "</mark>";
      pos = m[1];
    });
    html += escapeHtml(piece.slice(pos));
    return (start > 0 ? "… " : "") + html + (end < text.length ? " …" : "");
  }

  function result(hit, res) {
    var page = hit.page;
    var order = hit.sections.map(function (s, k) { return k; })
      .filter(function (k) { return hit.sections[k] > 0; })
      .sort(function (a, b) { return hit.sections[b] - hit.sections[a]; });
    var best = page.sections[order[0]] || page.sections[0];
    var bestText = best.text || best.title;
    // Excerpts are made only for the results shown (data() is called for those).
    function data() {
      var subs = order.filter(function (k) { return page.sections[k].anchor; }).slice(0, 3).map(function (k) {
        var s = page.sections[k];
        return { url: base + page.url + "#" + s.anchor, title: s.title, excerpt: excerpt(s.text || s.title, res) };
      });
      return { url: base + page.url, meta: { title: page.title }, excerpt: excerpt(bestText, res), sub_results: subs };
    }
    return { score: hit.score, data: function () { return Promise.resolve(data()); } };
  }

  function search(query) {
    var terms = fold(query).split(SPLIT).filter(Boolean);
    var seen = {};
    var res = terms.map(stem).filter(function (t) { return !seen[t] && (seen[t] = true); })
      .map(function (t) { return { re: matcher(t), forms: expand(t), df: 0 }; });
    if (!res.length || res.some(function (r) { return !r.forms.length; })) return Promise.resolve({ results: [] });
    var scored = pages.map(function (p) { return scorePage(p, res); });
    // Every word must appear in the page; rarer words count more (inverse document frequency).
    var hits = scored.filter(function (h) { return h.terms.every(Boolean); });
    hits.forEach(function (h) {
      h.terms.forEach(function (t, i) { h.score += Math.log(1 + pages.length / res[i].df) * t; });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return Promise.resolve({ results: hits.map(function (h) { return result(h, res); }) });
  }

  window.coursebuildLocalSearch = { search: search };
})();
