/* coursebuild review page: the glossary terms and questions of finished topics
   as flash cards, scheduled with Leitner boxes. A card in box 1–5 is due again
   after 0, 1, 3, 7 or 21 days; "Again" puts it in box 1, "Good" one box up,
   "Easy" two. The schedule lives in this browser (key "review"). */
(function () {
  "use strict";

  var doc = document;
  var DAYS = [0, 1, 3, 7, 21];
  // Storage keys and URLs are coursebuild.js's (per course, also for copies opened from disk).
  var store = window.coursebuildStore, load = store.load, save = store.save;
  function $(sel) { return doc.querySelector(sel); }
  function today() { return Math.floor(Date.now() / 864e5); }

  var page = $("[data-review]");
  if (!page) return;
  var status = $("[data-review-status]");
  var card = $("[data-review-card]");
  var kind = $("[data-review-kind]");
  var front = $("[data-review-front]");
  var back = $("[data-review-back]");
  var reveal = $("[data-review-reveal]");
  var grades = $("[data-review-grades]");
  var queue = [];
  var current = null;

  function fill(node, html) {
    node.innerHTML = html;
    // The card data is not rewritten for the base URL as pages are.
    Array.prototype.forEach.call(node.querySelectorAll('a[href^="/"]'), function (a) {
      a.setAttribute("href", store.withBase(a.getAttribute("href")));
    });
  }

  function next() {
    current = queue.shift() || null;
    card.hidden = !current;
    if (!current) {
      status.textContent = "Nothing is due for review. Well done! Come back tomorrow, or finish another topic.";
      return;
    }
    status.textContent = (queue.length + 1) + (queue.length ? " cards" : " card") + " to review.";
    kind.textContent = current.kind === "term" ? "Glossary term" : "Question";
    fill(front, current.front);
    fill(back, current.back);
    back.hidden = true;
    grades.hidden = true;
    reveal.hidden = false;
  }

  function grade(how) {
    var schedule = load("review", {}) || {};
    var entry = schedule[current.id] || { b: 1 };
    entry.b = how === "again" ? 1 : Math.min(5, entry.b + (how === "easy" ? 2 : 1));
    entry.d = today() + DAYS[entry.b - 1];
    entry.t = current.topic;
    schedule[current.id] = entry;
    save("review", schedule);
    if (how === "again") queue.push(current);
    next();
    if (current) reveal.focus();
  }

  reveal.addEventListener("click", function () {
    back.hidden = false;
    grades.hidden = false;
    reveal.hidden = true;
    back.setAttribute("tabindex", "-1");
    back.focus();
  });
  Array.prototype.forEach.call(grades.querySelectorAll("[data-grade]"), function (button) {
    button.addEventListener("click", function () { grade(button.dataset.grade); });
  });

  // A copy opened from disk cannot fetch(): it ships the cards as a script (cards.js).
  var cards = doc.documentElement.dataset.portable ? new Promise(function (resolve, reject) {
    var script = doc.createElement("script");
    script.src = "cards.js";
    script.onload = function () { resolve(window.coursebuildReviewCards); };
    script.onerror = reject;
    doc.head.appendChild(script);
  }) : fetch(store.withBase("/review/cards.json")).then(function (r) { return r.json(); });
  cards.then(function (data) {
    var finished = load("finished", []) || [];
    var schedule = load("review", {}) || {};
    var day = today();
    if (!finished.length) {
      status.textContent = "No cards yet: finish a topic (the button at the end of each topic) and its terms and questions become cards here.";
      return;
    }
    queue = data.cards.filter(function (c) {
      return finished.indexOf(c.topic) >= 0 && !(schedule[c.id] && schedule[c.id].d > day);
    });
    next();
  }).catch(function () {
    status.textContent = "The review cards could not be loaded.";
  });
})();
