/* coursebuild theme script. Progressive enhancement only: every page is
   complete without it. No framework, no dependencies. */
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement;
  var base = root.dataset.baseUrl || "/";
  if (base.charAt(base.length - 1) !== "/") base += "/";
  // A portable copy (opened from disk) has relative URLs and a per-course key:
  // every file:// page shares one localStorage.
  var portable = root.dataset.portable;
  var PREFIX = "coursebuild:" + (portable ? "file:" + portable : base) + ":";

  function $(sel, ctx) { return (ctx || doc).querySelector(sel); }
  function $$(sel, ctx) { return Array.prototype.slice.call((ctx || doc).querySelectorAll(sel)); }
  function load(key, fallback) {
    try {
      var raw = localStorage.getItem(PREFIX + key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) { return fallback; }
  }
  function save(key, value) {
    try {
      if (value == null) localStorage.removeItem(PREFIX + key);
      else localStorage.setItem(PREFIX + key, JSON.stringify(value));
    } catch (e) { /* private mode or storage full: progress is simply not kept */ }
  }
  function withBase(path) {
    if (!path || path.charAt(0) !== "/" || path.charAt(1) === "/") return path;
    return base + (portable ? path.slice(1).replace(/\/(?=$|#)/, "/index.html") || "index.html" : path.slice(1));
  }
  // One storage scheme for every script of the theme (questions.js, review.js, map.js).
  window.coursebuildStore = {load: load, save: save, withBase: withBase};
  function el(tag, cls, text) {
    var node = doc.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }
  function headerHeight() {
    var h = $(".site-header");
    return h ? h.getBoundingClientRect().height : 0;
  }
  function debounce(fn, ms) {
    var t;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  var data = { topics: [] };
  try { data = JSON.parse($("#course-data").textContent) || data; } catch (e) { /* no course data */ }
  var topics = data.topics || [];
  var bySlug = {};
  topics.forEach(function (t) { bySlug[t.slug] = t; });
  function slugOf(p) {
    if (typeof p === "string") return p;
    if (p && p.slug) return p.slug;
    var parts = ((p && p.url) || "").split("#")[0].split("/").filter(Boolean);
    return parts[parts.length - 1] || "";
  }
  function prereqs(t) { return (t.prerequisites || []).map(slugOf); }

  var wide = window.matchMedia("(min-width: 1200px)");
  var drawerMQ = window.matchMedia("(max-width: 959.98px)");
  var sheetMQ = window.matchMedia("(max-width: 640px)");
  function onChange(mq, fn) {
    if (mq.addEventListener) mq.addEventListener("change", fn); else mq.addListener(fn);
  }

  /* ---------- Theme ---------------------------------------------------- */

  var THEME_KEY = "coursebuild:theme";
  var themeButton = $(".theme-toggle");
  function storedTheme() {
    try { return localStorage.getItem(THEME_KEY); } catch (e) { return null; }
  }
  function applyTheme(theme) {
    root.dataset.theme = theme;
    if (themeButton) themeButton.setAttribute("aria-pressed", String(theme === "dark"));
  }
  applyTheme(root.dataset.theme === "dark" ? "dark" : "light");
  if (themeButton) {
    themeButton.addEventListener("click", function () {
      var next = root.dataset.theme === "dark" ? "light" : "dark";
      applyTheme(next);
      try { localStorage.setItem(THEME_KEY, next); } catch (e) { /* not kept */ }
    });
  }
  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");
  onChange(systemDark, function (e) {
    var saved = storedTheme();
    if (saved !== "light" && saved !== "dark") applyTheme(e.matches ? "dark" : "light");
  });

  /* ---------- Sidebar drawer ------------------------------------------- */

  var menuButton = $(".menu-button");
  var sidebar = $("#sidebar");
  var backdrop = $(".nav-backdrop");
  function navOpen() { return root.classList.contains("nav-open"); }
  function setNav(open, restoreFocus) {
    if (!menuButton || !sidebar) return;
    root.classList.toggle("nav-open", open);
    menuButton.setAttribute("aria-expanded", String(open));
    if (backdrop) backdrop.hidden = !open;
    if (open) {
      var target = $('a[aria-current="page"]', sidebar) || $("a", sidebar);
      if (target) target.focus();
    } else if (restoreFocus) {
      menuButton.focus();
    }
  }
  if (menuButton) menuButton.addEventListener("click", function () { setNav(!navOpen()); });
  if (backdrop) backdrop.addEventListener("click", function () { setNav(false); });
  if (sidebar) {
    sidebar.addEventListener("click", function (e) {
      if (drawerMQ.matches && e.target.closest("a")) setNav(false);
    });
    // Keep the current topic in view inside a long sidebar.
    var current = $('.nav-topic > a[aria-current="page"]', sidebar);
    if (current && !drawerMQ.matches) {
      var cr = current.getBoundingClientRect();
      var sr0 = sidebar.getBoundingClientRect();
      if (cr.bottom > sr0.bottom - 24) sidebar.scrollTop = cr.top - sr0.top - sidebar.clientHeight / 4;
    }
  }
  onChange(drawerMQ, function () { if (!drawerMQ.matches && navOpen()) setNav(false); });

  /* ---------- Side notes ----------------------------------------------- */

  function noteOf(button) { return doc.getElementById(button.getAttribute("aria-controls")); }
  var noteButtons = $$(".note-ref");

  function syncNotes() {
    noteButtons.forEach(function (b) {
      var note = noteOf(b);
      if (!note) return;
      b.setAttribute("aria-expanded", String(wide.matches || note.classList.contains("is-open")));
    });
    layoutNotes();
  }

  // Floats with clear:right already stack; this also keeps notes clear of
  // anything wide enough to reach into the margin column and of each other.
  function layoutNotes() {
    var notes = $$(".prose .note");
    notes.forEach(function (n) { n.style.marginTop = ""; });
    if (!wide.matches || !notes.length) return;
    var obstacles = $$(".prose figure, .prose .table-wrap, .prose pre, .prose .math-display, .prose table, .prose img")
      .filter(function (o) { return !o.closest(".note"); })
      .map(function (o) { return o.getBoundingClientRect(); });
    var prevBottom = -Infinity;
    notes.forEach(function (n) {
      var r = n.getBoundingClientRect();
      if (!r.height) return;
      var top = Math.max(r.top, prevBottom + 12);
      for (var pass = 0, moved = true; moved && pass < 20; pass++) {
        moved = false;
        for (var i = 0; i < obstacles.length; i++) {
          var o = obstacles[i];
          if (o.right > r.left + 1 && o.left < r.right - 1 && o.bottom > top && o.top < top + r.height) {
            top = o.bottom + 12;
            moved = true;
          }
        }
      }
      if (top - r.top > 0.5) {
        var margin = parseFloat(getComputedStyle(n).marginTop) || 0;
        n.style.marginTop = (margin + top - r.top) + "px";
        r = n.getBoundingClientRect();
      }
      prevBottom = r.bottom;
    });
  }

  doc.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".note-ref");
    if (!button) return;
    var note = noteOf(button);
    if (!note) return;
    if (wide.matches) {
      note.classList.add("is-highlighted");
      setTimeout(function () { note.classList.remove("is-highlighted"); }, 1600);
      return;
    }
    var open = !note.classList.contains("is-open");
    note.classList.toggle("is-open", open);
    button.setAttribute("aria-expanded", String(open));
  });

  if (noteButtons.length) {
    onChange(wide, syncNotes);
    syncNotes();
    window.addEventListener("load", layoutNotes);
    window.addEventListener("resize", debounce(layoutNotes, 120));
    if (doc.fonts && doc.fonts.ready) doc.fonts.ready.then(layoutNotes);
    doc.addEventListener("toggle", debounce(layoutNotes, 30), true);
  }

  /* ---------- Popovers: citations and glossary terms ------------------- */

  var TRIGGER = "a.cite-link, a.glossary-term, a.xref";
  var pop = null;
  var popTarget = null;
  var showTimer = 0;
  var hideTimer = 0;
  var lastPointer = "mouse";
  var quietFocus = false;

  function popover() {
    if (pop) return pop;
    pop = el("div", "popover");
    pop.id = "cb-popover";
    pop.setAttribute("role", "tooltip");
    pop.hidden = true;
    pop.addEventListener("pointerenter", function () { clearTimeout(hideTimer); });
    pop.addEventListener("pointerleave", function (e) { if (e.pointerType !== "touch") scheduleHide(); });
    pop.addEventListener("click", function (e) {
      if (e.target.closest(".popover-close")) hide(true);
      else if (e.target.closest("a")) hide(false);
    });
    doc.body.appendChild(pop);
    return pop;
  }

  function fill(a) {
    var box = popover();
    box.textContent = "";
    var close = el("button", "icon-button popover-close");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.innerHTML = '<span aria-hidden="true">×</span>';
    if (a.classList.contains("cite-link")) {
      var id = decodeURIComponent((a.getAttribute("href") || "").split("#")[1] || "");
      var item = id && doc.getElementById(id);
      var text = item && $(".ref-text", item);
      if (!text) return false;
      var number = item.getAttribute("value");
      box.appendChild(el("p", "popover-kind", number ? "Reference " + number : "Reference"));
      var body = el("p", "popover-body");
      body.innerHTML = text.innerHTML;
      box.appendChild(body);
      var go = el("a", "popover-more", "Go to reference");
      go.href = "#" + id;
      box.appendChild(go);
    } else if (a.classList.contains("xref")) {
      // A cross-reference: the build put a preview of every target in a <template>.
      var tpl = $('template[data-xref-for="' + a.dataset.xref + '"]');
      if (!tpl) return false;
      box.appendChild(el("p", "popover-kind", a.textContent));
      var preview = el("div", "popover-body popover-xref");
      preview.appendChild(tpl.content.cloneNode(true));
      box.appendChild(preview);
    } else {
      var term = a.dataset.term || a.textContent;
      var definition = a.dataset.definition;
      if (!definition) return false;
      box.appendChild(el("p", "popover-kind", "Glossary"));
      box.appendChild(el("p", "popover-term", term));
      box.appendChild(el("p", "popover-body", definition));
      var more = el("a", "popover-more", "Glossary entry");
      more.href = a.getAttribute("href");
      box.appendChild(more);
    }
    box.appendChild(close);
    return true;
  }

  function place(a) {
    var box = pop;
    var sheet = sheetMQ.matches;
    box.classList.toggle("is-sheet", sheet);
    if (sheet) {
      box.style.left = box.style.top = "";
      // Keep the line being read above the sheet.
      var rr = a.getBoundingClientRect();
      var limit = window.innerHeight - box.offsetHeight - 16;
      if (rr.bottom > limit) window.scrollBy({ top: rr.bottom - limit, behavior: "smooth" });
      return;
    }
    var rects = a.getClientRects();
    var r = rects.length ? rects[0] : a.getBoundingClientRect();
    var width = box.offsetWidth;
    var height = box.offsetHeight;
    var viewW = root.clientWidth;
    var left = Math.max(8, Math.min(r.left + r.width / 2 - width / 2, viewW - width - 8));
    var top = r.bottom + 8;
    if (top + height > window.innerHeight - 8 && r.top - height - 8 > headerHeight()) top = r.top - height - 8;
    box.style.left = (left + window.scrollX) + "px";
    box.style.top = (top + window.scrollY) + "px";
  }

  function show(a) {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (popTarget === a && !pop.hidden) return;
    if (popTarget) popTarget.removeAttribute("aria-describedby");
    if (!fill(a)) return;
    pop.hidden = false;
    popTarget = a;
    a.setAttribute("aria-describedby", pop.id);
    place(a);
  }

  function hide(returnFocus) {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (!pop || pop.hidden) return;
    pop.hidden = true;
    var target = popTarget;
    popTarget = null;
    if (target) {
      target.removeAttribute("aria-describedby");
      if (returnFocus) {
        quietFocus = true;
        target.focus();
        quietFocus = false;
      }
    }
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () {
      if (popTarget && doc.activeElement === popTarget && popTarget.matches(":focus-visible")) return;
      hide(false);
    }, 300);
  }

  doc.addEventListener("pointerdown", function (e) { lastPointer = e.pointerType || "mouse"; }, true);

  doc.addEventListener("pointerover", function (e) {
    if (e.pointerType === "touch") return;
    var a = e.target.closest && e.target.closest(TRIGGER);
    if (!a) return;
    clearTimeout(hideTimer);
    if (popTarget === a) return;
    clearTimeout(showTimer);
    showTimer = setTimeout(function () { show(a); }, 280);
  });

  doc.addEventListener("pointerout", function (e) {
    if (e.pointerType === "touch") return;
    var a = e.target.closest && e.target.closest(TRIGGER);
    if (!a || (e.relatedTarget && a.contains(e.relatedTarget))) return;
    clearTimeout(showTimer);
    if (popTarget === a) scheduleHide();
  });

  doc.addEventListener("focusin", function (e) {
    var a = e.target.closest && e.target.closest(TRIGGER);
    if (a) {
      if (!quietFocus && a.matches(":focus-visible")) show(a);
    } else if (popTarget && pop && !pop.contains(e.target)) {
      hide(false);
    }
  });

  doc.addEventListener("focusout", function (e) {
    var a = e.target.closest && e.target.closest(TRIGGER);
    if (a && a === popTarget && !(e.relatedTarget && pop.contains(e.relatedTarget))) scheduleHide();
  });

  doc.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest(TRIGGER);
    if (a && lastPointer === "touch" && e.detail > 0) {
      if (popTarget !== a) {
        e.preventDefault();
        show(a);
      } else {
        hide(false);
      }
      return;
    }
    if (a) { hide(false); return; }
    if (popTarget && pop && !pop.contains(e.target)) hide(false);
  });

  window.addEventListener("resize", debounce(function () { if (popTarget) place(popTarget); }, 100));

  /* ---------- Table of contents: the section being read ---------------- */

  var tocLinks = $$("[data-toc-link]");
  if (tocLinks.length && "IntersectionObserver" in window) {
    var seen = {};
    var headings = [];
    tocLinks.forEach(function (a) {
      var id = decodeURIComponent(a.hash.slice(1));
      if (seen[id]) return;
      seen[id] = true;
      var h = doc.getElementById(id);
      if (h) headings.push(h);
    });
    var activeId = null;
    var setActive = function (id) {
      if (id === activeId) return;
      activeId = id;
      tocLinks.forEach(function (a) {
        var on = decodeURIComponent(a.hash.slice(1)) === id;
        a.classList.toggle("is-active", on);
        if (on) a.setAttribute("aria-current", "location"); else a.removeAttribute("aria-current");
      });
      var link = sidebar && id && $(".toc-sidebar a.is-active", sidebar);
      if (link && !drawerMQ.matches) {
        var lr = link.getBoundingClientRect();
        var sr = sidebar.getBoundingClientRect();
        if (lr.top < sr.top + 8 || lr.bottom > sr.bottom - 8) sidebar.scrollTop += lr.top - sr.top - sr.height / 3;
      }
    };
    var updateToc = function () {
      var line = headerHeight() + window.innerHeight * 0.3;
      var currentHeading = null;
      for (var i = 0; i < headings.length; i++) {
        if (headings[i].getBoundingClientRect().top <= line) currentHeading = headings[i];
        else break;
      }
      setActive(currentHeading ? currentHeading.id : null);
    };
    var observer = new IntersectionObserver(updateToc, {
      rootMargin: "-" + Math.round(headerHeight()) + "px 0px -70% 0px",
      threshold: [0, 1]
    });
    headings.forEach(function (h) { observer.observe(h); });
    window.addEventListener("scroll", debounce(updateToc, 150), { passive: true });
    updateToc();
  }

  /* ---------- Progress ------------------------------------------------- */

  var finished = new Set(load("finished", []));
  var finishButton = $(".finish-toggle");

  // What to read next: unfinished topics whose prerequisites are all finished.
  function ready() {
    return topics.filter(function (t) {
      return !finished.has(t.slug) && prereqs(t).every(function (s) { return finished.has(s) || !bySlug[s]; });
    });
  }
  function nextUp() { return ready()[0] || null; }

  /* ---------- Practice: answers, review cards due, read next ----------- */

  function day() { return Math.floor(Date.now() / 864e5); }
  function renderPractice() {
    var answers = load("answers", {}) || {};
    var practice = load("practice", {}) || {};
    var review = load("review", {}) || {};
    // [right, total]: as the topic page last counted it, else from the answers kept.
    function score(slug) {
      var t = bySlug[slug];
      var mine = answers[slug] || {};
      if (practice[slug]) return practice[slug];
      return t && t.questions ? [Object.keys(mine).filter(function (k) { return mine[k].c; }).length, t.questions] : null;
    }
    var blocks = {};
    $$(".nav-topic[data-slug], .topic-card[data-slug], .map-text-list li[data-slug]").forEach(function (node) {
      var s = score(node.dataset.slug);
      var card = node.classList.contains("topic-card");
      var block = card && node.closest(".path-block");
      if (!s || (!s[0] && !card)) return;
      if (block) {
        var sum = blocks[block.id] || (blocks[block.id] = [0, 0]);
        sum[0] += s[0]; sum[1] += s[1];
      }
      var badge = $(".practice-badge", node) || $(card ? ".topic-card-text" : "a", node).appendChild(el("span", "practice-badge"));
      badge.setAttribute("aria-hidden", "true");
      var long = s[0] + " of " + s[1] + " question" + (s[1] === 1 ? "" : "s") + " right";
      badge.textContent = card ? long : " " + s[0] + "/" + s[1];
      var status = $(".progress-status", node);
      if (status) status.textContent = " (" + (finished.has(node.dataset.slug) ? "finished, " : "") + long + ")";
    });
    $$(".map-node[data-slug]").forEach(function (a) {
      var s = score(a.dataset.slug);
      var title = $("title", a);
      if (!s || !title) return;
      title.dataset.name = title.dataset.name || title.textContent;
      title.textContent = title.dataset.name + (s[0] ? " (" + s[0] + " of " + s[1] + " questions right)" : "");
    });
    $$("[data-block-progress]").forEach(function (span) {
      var sum = blocks[span.closest(".path-block").id];
      if (sum && sum[0]) span.textContent += " · " + sum[0] + " of " + sum[1] + " questions right";
    });
    var due = 0;
    topics.forEach(function (t) { if (finished.has(t.slug)) due += t.cards || 0; });
    Object.keys(review).forEach(function (k) { if (finished.has(review[k].t) && review[k].d > day()) due--; });
    $$("[data-due-count]").forEach(function (n) { n.textContent = topics.length && due > 0 ? String(due) : ""; });
    var dueNote = $("[data-review-due]");
    if (dueNote) {
      dueNote.hidden = due <= 0;
      $("[data-review-due-count]", dueNote).textContent = due + (due === 1 ? " card is" : " cards are");
    }
    var readNext = $("[data-read-next]");
    if (readNext && finishButton) {
      var shown = 0;
      $$("[data-next]", readNext).forEach(function (li) {
        var needs = (li.dataset.needs || "").split(" ").filter(Boolean);
        li.hidden = finished.has(li.dataset.next) || !needs.every(function (s) { return finished.has(s); });
        if (!li.hidden) shown++;
      });
      readNext.hidden = !shown;
    }
  }

  function setLink(card, topic, fallbackText) {
    var link = $(".resume-link", card);
    if (topic) {
      link.textContent = topic.title;
      link.href = withBase(topic.url);
    } else {
      link.textContent = fallbackText;
      link.href = withBase("/topics/");
    }
  }

  function renderProgress() {
    var done = topics.filter(function (t) { return finished.has(t.slug); }).length;
    $$("[data-slug]").forEach(function (node) {
      if (node.matches("article, button")) return;
      var on = finished.has(node.dataset.slug);
      node.classList.toggle("is-finished", on);
      var status = $(".progress-status", node);
      if (status) status.textContent = on ? " (finished)" : "";
    });
    $$(".nav-block").forEach(function (block) {
      var items = $$(".nav-topic", block);
      var count = items.filter(function (li) { return finished.has(li.dataset.slug); }).length;
      var badge = $(".nav-block-count", block);
      if (badge) {
        badge.textContent = count ? count + "/" + items.length : String(items.length);
        badge.setAttribute("aria-label", count ? count + " of " + items.length + " finished" : items.length + " topics");
      }
      block.classList.toggle("is-complete", items.length > 0 && count === items.length);
    });
    $$("[data-block-progress]").forEach(function (span) {
      var section = span.closest(".path-block");
      var cards = section ? $$(".topic-card", section) : [];
      var count = cards.filter(function (c) { return finished.has(c.dataset.slug); }).length;
      span.textContent = count ? " " + count + " of " + cards.length + " finished" : "";
    });
    $$("[data-progress-panel]").forEach(function (panel) {
      panel.hidden = done === 0 && !panel.closest(".index-page");
      var count = $("[data-progress-count]", panel);
      if (count) count.textContent = String(done);
      var bar = $("[data-progress-bar]", panel);
      if (bar) bar.style.width = (topics.length ? (100 * done) / topics.length : 0) + "%";
      var reset = $("[data-progress-reset]", panel);
      if (reset) reset.disabled = done === 0 && !load("last", null);
    });
    if (finishButton) {
      var on = finished.has(finishButton.dataset.slug);
      finishButton.setAttribute("aria-pressed", String(on));
      $(".finish-label", finishButton).textContent = on ? "Finished" : "Mark as finished";
    }
    var badgeDone = $("[data-finished-badge]");
    if (badgeDone && finishButton) badgeDone.hidden = !finished.has(finishButton.dataset.slug);

    var resume = $("[data-resume]");
    if (resume) {
      var last = bySlug[load("last", "")];
      var next = nextUp();
      var lastCard = $("[data-resume-last]", resume);
      var nextCard = $("[data-resume-next]", resume);
      var any = !!last || done > 0;
      resume.hidden = !any;
      lastCard.hidden = !last;
      if (last) setLink(lastCard, last);
      nextCard.hidden = !any || (next && last && next.slug === last.slug);
      setLink(nextCard, next, "Every topic is finished. Well done!");
      var also = $("[data-resume-also]", nextCard);
      if (also) {
        also.textContent = "";
        ready().slice(1, 3).forEach(function (t, i) {
          var a = el("a", "", t.title);
          a.href = withBase(t.url);
          also.appendChild(doc.createTextNode(i ? ", " : "Also ready: "));
          also.appendChild(a);
        });
      }
    }
    renderPractice();
  }

  if (finishButton) {
    finishButton.addEventListener("click", function () {
      var slug = finishButton.dataset.slug;
      if (finished.has(slug)) finished.delete(slug); else finished.add(slug);
      save("finished", Array.from(finished));
      renderProgress();
    });
  }

  $$("[data-progress-reset]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!window.confirm("Reset your progress? This forgets which topics you finished and where you left off, in this browser only.")) return;
      finished.clear();
      save("finished", null);
      save("last", null);
      save("opened", null);
      save("answers", null);
      save("practice", null);
      save("review", null);
      $$(".pt-seen").forEach(function (s) { s.remove(); });
      $$(".was-opened").forEach(function (d) { d.classList.remove("was-opened"); });
      renderProgress();
    });
  });

  if (data.kind === "topic" && data.current) save("last", data.current);
  renderProgress();
  function reloadProgress() {
    finished = new Set(load("finished", []));
    renderProgress();
  }
  window.addEventListener("storage", function (e) {
    if (e.key && e.key.indexOf(PREFIX) === 0) reloadProgress();
  });
  doc.addEventListener("coursebuild:progress", reloadProgress);

  /* ---------- Progress export and import (moving to another browser) --- */

  $$("[data-progress-export]").forEach(function (button) {
    button.addEventListener("click", function () {
      var out = { format: "coursebuild-progress", version: 1, course: base, data: {} };
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k.indexOf(PREFIX) === 0) out.data[k.slice(PREFIX.length)] = load(k.slice(PREFIX.length), null);
      }
      var a = el("a");
      a.href = URL.createObjectURL(new Blob([JSON.stringify(out, null, 1)], { type: "application/json" }));
      a.download = "course-progress.json";
      doc.body.appendChild(a);
      a.click();
      a.remove();
    });
  });
  $$("[data-progress-import]").forEach(function (input) {
    var note = $("[data-progress-note]");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      file.text().then(function (text) {
        var got = JSON.parse(text);
        if (!got || got.format !== "coursebuild-progress" || typeof got.data !== "object") throw new Error("format");
        Object.keys(got.data).forEach(function (k) { save(k, got.data[k]); });
        if (note) note.textContent = "Progress imported.";
        reloadProgress();
      }).catch(function () {
        if (note) note.textContent = "That file is not a progress file exported from this course.";
      });
      input.value = "";
    });
  });

  /* ---------- Pause and think: remember which were opened -------------- */

  var opened = load("opened", {}) || {};
  var pageKey = data.current || location.pathname;
  function markOpened(d) {
    if (d.classList.contains("was-opened")) return;
    d.classList.add("was-opened");
    var summary = $("summary", d);
    if (!summary) return;
    var mark = el("span", "pt-seen");
    mark.title = "You opened this before";
    mark.innerHTML = '<span aria-hidden="true">✓</span><span class="visually-hidden">(opened before)</span>';
    summary.appendChild(mark);
  }
  $$("details.pause-and-think").forEach(function (d, index) {
    if ((opened[pageKey] || []).indexOf(index) >= 0) markOpened(d);
    d.addEventListener("toggle", function () {
      if (!d.open) return;
      opened = load("opened", {}) || {};
      var list = opened[pageKey] || (opened[pageKey] = []);
      if (list.indexOf(index) < 0) {
        list.push(index);
        save("opened", opened);
      }
      markOpened(d);
    });
  });

  /* ---------- Print ---------------------------------------------------- */

  var printState = null;
  window.addEventListener("beforeprint", function () {
    printState = { theme: root.dataset.theme, closed: $$("details:not([open])") };
    printState.closed.forEach(function (d) { d.open = true; });
    root.dataset.theme = "light";
  });
  window.addEventListener("afterprint", function () {
    if (!printState) return;
    printState.closed.forEach(function (d) { d.open = false; });
    root.dataset.theme = printState.theme;
    printState = null;
  });

  /* ---------- Search --------------------------------------------------- */

  var pagefind = null;
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = el("script");
      s.src = base + src;
      s.onload = resolve;
      s.onerror = reject;
      doc.head.appendChild(s);
    });
  }
  function loadPagefind() {
    if (!pagefind && portable) {  // from disk: no fetch, so the index comes as a script
      pagefind = loadScript("assets/search-index.js").then(function () { return loadScript("assets/search-local.js"); })
        .then(function () { return window.coursebuildLocalSearch; });
    } else if (!pagefind) {
      pagefind = import(base + "pagefind/pagefind.js").then(function (pf) {
        return Promise.resolve(pf.options({ baseUrl: base })).then(function () { return pf; });
      });
    }
    return pagefind;
  }

  // Heading permalinks ("#") end up in Pagefind's section titles.
  function cleanTitle(t) { return String(t).replace(/\s*#\s*$/, ""); }
  // Pagefind spaces out linked citation numbers ("[ 1]"): close the gap again.
  function tidy(html) { return String(html || "").replace(/([[(])\s+(?=<mark>|\w)/g, "$1"); }

  function resultItem(d) {
    var li = el("li", "search-result");
    var main = el("a", "search-result-main");
    main.href = d.url;
    main.appendChild(el("span", "search-result-title", (d.meta && d.meta.title) || d.url));
    var excerpt = el("span", "search-result-excerpt");
    excerpt.innerHTML = tidy(d.excerpt);
    main.appendChild(excerpt);
    li.appendChild(main);
    var title = (d.meta && d.meta.title) || "";
    var subs = (d.sub_results || []).filter(function (s) {
      return s.url !== d.url && s.title && cleanTitle(s.title) !== title;
    }).slice(0, 3);
    if (subs.length) {
      var ul = el("ul", "search-result-subs");
      subs.forEach(function (s) {
        var item = el("li");
        var a = el("a", "search-result-sub");
        a.href = s.url;
        a.appendChild(el("span", "search-result-title", cleanTitle(s.title)));
        var ex = el("span", "search-result-excerpt");
        ex.innerHTML = tidy(s.excerpt);
        a.appendChild(ex);
        item.appendChild(a);
        ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    return li;
  }

  var PAGE = 10;

  function setupSearch(panel) {
    var input = $(".search-input", panel);
    var status = $(".search-status", panel);
    var list = $(".search-results", panel);
    var form = $("form", panel);
    var seq = 0;
    var timer = 0;
    var found = [];
    var shown = 0;
    // "Show more" loads the next results on demand (Pagefind fetches each one's data lazily).
    var more = el("button", "button button-quiet search-more");
    more.type = "button";
    more.hidden = true;
    list.parentNode.insertBefore(more, list.nextSibling);

    function showNext(mine, focusFirst) {
      var next = found.slice(shown, shown + PAGE);
      return Promise.all(next.map(function (r) { return r.data(); })).then(function (items) {
        if (mine !== seq) return;
        if (!shown) list.textContent = "";
        var first = null;
        items.forEach(function (d) {
          var li = resultItem(d);
          first = first || li;
          list.appendChild(li);
        });
        shown += items.length;
        var left = found.length - shown;
        more.hidden = left <= 0;
        more.textContent = "Show " + Math.min(left, PAGE) + " more of " + left;
        status.textContent = found.length + (found.length === 1 ? " result" : " results") +
          (left > 0 ? ", showing " + shown : "");
        if (focusFirst && first) $("a", first).focus();
      });
    }
    more.addEventListener("click", function () { showNext(seq, true); });

    function run(query) {
      var mine = ++seq;
      var q = query.trim();
      more.hidden = true;
      if (!q) {
        list.textContent = "";
        status.textContent = "";
        return Promise.resolve();
      }
      status.textContent = "Searching…";
      return loadPagefind().then(function (pf) {
        return pf.search(q).then(function (res) {
          if (mine !== seq) return;
          found = (res && res.results) || [];
          shown = 0;
          if (!found.length) {
            list.textContent = "";
            status.textContent = "No results for “" + q + "”.";
            return;
          }
          return showNext(mine, false);
        });
      }, function () {
        if (mine === seq) {
          list.textContent = "";
          status.textContent = "Search index not available. It is created when the site is built with coursebuild.";
        }
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(input.value); }, 140);
    });
    input.addEventListener("focus", function () { loadPagefind().catch(function () {}); }, { once: true });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        var first = $("a", list);
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    list.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      var links = $$("a", list);
      var i = links.indexOf(doc.activeElement);
      if (i < 0) return;
      e.preventDefault();
      if (e.key === "ArrowDown" && i < links.length - 1) links[i + 1].focus();
      else if (e.key === "ArrowUp") (i > 0 ? links[i - 1] : input).focus();
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearTimeout(timer);
      if (panel.hasAttribute("data-search-page")) {
        var params = new URLSearchParams(location.search);
        params.set("q", input.value);
        history.replaceState(null, "", location.pathname + "?" + params.toString());
        run(input.value);
        return;
      }
      run(input.value).then(function () {
        var first = $("a", list);
        if (first) first.click();
      });
    });
    return { input: input, run: run };
  }

  var dialog = $("#search-dialog");
  var dialogSearch = dialog && dialog.showModal ? setupSearch($("[data-search]", dialog)) : null;
  function openSearch() {
    if (!dialogSearch) {
      location.href = withBase("/search/");
      return;
    }
    if (navOpen()) setNav(false);
    hide(false);
    if (!dialog.open) dialog.showModal();
    dialogSearch.input.focus();
    dialogSearch.input.select();
  }
  if (dialog) {
    // A search field eats the first Escape (it clears itself): close on any Escape.
    dialog.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); dialog.close(); }
    });
    dialog.addEventListener("click", function (e) {
      if (e.target === dialog || e.target.closest("[data-search-close]")) dialog.close();
      else if (e.target.closest(".search-results a")) dialog.close();
    });
  }
  $$("[data-search-open]").forEach(function (b) { b.addEventListener("click", openSearch); });

  var pagePanel = $("[data-search-page]");
  if (pagePanel) {
    var pageSearch = setupSearch(pagePanel);
    var q = new URLSearchParams(location.search).get("q");
    if (q) {
      pageSearch.input.value = q;
      pageSearch.run(q);
    } else {
      pageSearch.input.focus();
    }
  }

  /* ---------- Keyboard shortcut help (?) -------------------------------- */

  var help = null;
  var KEYS = [["/", "Ctrl K", "Search"], ["j", "→", "Next topic"], ["k", "←", "Previous topic"],
    ["Esc", "", "Close a dialog, menu or popover"], ["?", "", "This list"]];
  function showHelp() {
    if (!help) {
      help = el("dialog", "help-dialog");
      help.setAttribute("aria-labelledby", "help-title");
      help.innerHTML = '<h2 id="help-title">Keyboard shortcuts</h2><dl>' + KEYS.map(function (k) {
        return "<dt><kbd>" + k[0] + "</kbd>" + (k[1] ? " or <kbd>" + k[1] + "</kbd>" : "") + "</dt><dd>" + k[2] + "</dd>";
      }).join("") + '</dl><button type="button" class="button" data-help-close>Close</button>';
      help.addEventListener("click", function (e) {
        if (e.target === help || e.target.closest("[data-help-close]")) help.close();
      });
      doc.body.appendChild(help);
    }
    if (!help.open) help.showModal();
  }
  $$("[data-help-open]").forEach(function (b) { b.addEventListener("click", showHelp); });

  /* ---------- Keyboard ------------------------------------------------- */

  doc.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      if (pop && !pop.hidden) { hide(true); e.preventDefault(); return; }
      if (navOpen()) { setNav(false, true); e.preventDefault(); return; }
      return;
    }
    if (e.defaultPrevented || e.altKey || e.isComposing) return;
    var t = e.target;
    var typing = t.closest && t.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])");
    if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      openSearch();
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || (dialog && dialog.open) || (help && help.open)) return;
    if (e.key === "/") {
      e.preventDefault();
      openSearch();
      return;
    }
    if (e.key === "?") {
      e.preventDefault();
      showHelp();
      return;
    }
    if (e.shiftKey) return;
    var rel = e.key === "j" || e.key === "ArrowRight" ? "next" : e.key === "k" || e.key === "ArrowLeft" ? "prev" : null;
    if (!rel) return;
    // Arrow keys keep scrolling code, tables, formulas and the map.
    if (e.key.indexOf("Arrow") === 0 && t.closest && t.closest("pre, .table-wrap, .math-display, .map-figure, audio, video")) return;
    var link = $('link[rel="' + rel + '"]') || $('a[rel="' + rel + '"]');
    if (link) {
      e.preventDefault();
      location.href = link.href;
    }
  });
})();
