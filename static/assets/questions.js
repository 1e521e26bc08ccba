/* coursebuild questions: makes the options of each question answerable, checks
   the answer, says the result aloud (aria-live) and keeps it in this browser.
   Loaded only by topic pages that have questions; without it they still read
   as a list of options with the answer in a closed <details>. */
(function () {
  "use strict";

  var doc = document;
  // Storage keys are coursebuild.js's (per course, also for copies opened from disk).
  var load = window.coursebuildStore.load, save = window.coursebuildStore.save;
  function el(tag, cls, text) {
    var node = doc.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }
  function $$(sel, ctx) { return Array.prototype.slice.call((ctx || doc).querySelectorAll(sel)); }

  var article = doc.querySelector("article.topic");
  var slug = article ? article.dataset.slug : location.pathname;
  var status = doc.querySelector("[data-practice-status]");
  var all = $$(".question");

  // Shuffled options stay in the same order for one reader: the seed is theirs.
  var seed = load("seed", "");
  if (!seed) { seed = Math.random().toString(36).slice(2); save("seed", seed); }
  function random(text) {
    var h = 2166136261;
    for (var i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 16777619); }
    return function () {
      h ^= h << 13; h ^= h >>> 17; h ^= h << 5;
      return (h >>> 0) / 4294967296;
    };
  }

  function answers() { return load("answers", {}) || {}; }
  function record(id, entry) {
    var stored = answers();
    (stored[slug] || (stored[slug] = {}))[id] = entry;
    save("answers", stored);
  }
  function norm(text) { return String(text).trim().replace(/\s+/g, " ").toLowerCase(); }

  function setup(q) {
    var id = q.dataset.question;
    var kind = q.dataset.kind;
    var form = el("form", "question-form");
    var inputs = [];
    var list = q.querySelector(".question-options");
    var key = q.querySelector(".question-answer");
    if (list) {
      $$(".question-option", list).forEach(function (li, index) {
        var label = el("label");
        var input = el("input");
        input.type = kind === "single" ? "radio" : "checkbox";
        input.name = "q-" + id;
        input.value = String(index);
        var text = el("span", "option-text");
        while (li.firstChild) text.appendChild(li.firstChild);
        label.appendChild(input);
        label.appendChild(text);
        li.appendChild(label);
        inputs.push(input);
      });
      if (q.dataset.shuffle) {
        var items = $$(".question-option", list);
        var next = random(seed + id);
        for (var i = items.length - 1; i > 0; i--) {
          var j = Math.floor(next() * (i + 1));
          var swap = items[i]; items[i] = items[j]; items[j] = swap;
        }
        items.forEach(function (li) { list.appendChild(li); });
      }
      q.insertBefore(form, list);
      form.appendChild(list);
    } else {
      var field = el("input", "question-text");
      field.type = "text";
      field.id = "answer-" + id;
      field.autocomplete = "off";
      var label = el("label", "question-text-label", "Your answer ");
      label.htmlFor = field.id;
      form.appendChild(label);
      form.appendChild(field);
      inputs.push(field);
      q.insertBefore(form, key);
    }
    var controls = el("div", "question-controls");
    var checkButton = el("button", "button button-primary", "Check");
    checkButton.type = "submit";
    var retry = el("button", "button", "Try again");
    retry.type = "button";
    retry.hidden = true;
    controls.appendChild(checkButton);
    controls.appendChild(retry);
    form.appendChild(controls);
    var result = el("div", "question-result");
    result.setAttribute("aria-live", "polite");
    form.appendChild(result);

    function value() {
      if (kind === "text") return inputs[0].value;
      return inputs.filter(function (i) { return i.checked; }).map(function (i) { return Number(i.value); });
    }
    function correct(v) {
      if (kind === "text") {
        var tolerance = parseFloat(q.dataset.tolerance);
        var given = parseFloat(String(v).replace(",", "."));
        return JSON.parse(q.dataset.answers || "[]").some(function (a) {
          if (!isNaN(tolerance)) return Math.abs(given - parseFloat(a)) <= tolerance * (1 + 1e-9);
          return norm(a) === norm(v) || (norm(v) !== "" && isFinite(v) && isFinite(a) && +a === +v);
        });
      }
      return inputs.every(function (input) {
        var li = input.closest(".question-option");
        return (v.indexOf(Number(input.value)) >= 0) === (li.dataset.correct === "true");
      });
    }
    function feedback(index) {
      var item = key && key.querySelector('.question-feedback[data-option="' + index + '"]');
      return item ? item.innerHTML : "";
    }
    function show(v, ok) {
      result.textContent = "";
      result.className = "question-result " + (ok ? "is-right" : "is-wrong");
      var verdict = ok ? "Correct." : kind === "multiple" ? "Not quite: some of your choices are wrong or missing." : "Not quite.";
      result.appendChild(el("p", "", verdict));
      inputs.forEach(function (input) {
        var li = input.closest(".question-option");
        if (kind === "text") { input.value = v; return; }
        input.checked = v.indexOf(Number(input.value)) >= 0;
        li.classList.toggle("is-right", input.checked && li.dataset.correct === "true");
        li.classList.toggle("is-wrong", input.checked && li.dataset.correct !== "true");
        var text = input.checked ? feedback(input.value) : "";
        if (text) {
          var box = el("div", "question-feedback");
          box.innerHTML = text;
          $$("[id]", box).forEach(function (n) { n.removeAttribute("id"); });
          result.appendChild(box);
        }
      });
      inputs.forEach(function (input) { input.disabled = ok; });
      checkButton.hidden = true;
      retry.hidden = ok;
    }
    function clear() {
      result.textContent = "";
      result.className = "question-result";
      inputs.forEach(function (input) {
        input.disabled = false;
        if (kind === "text") input.value = "";
        else input.checked = false;
        var li = input.closest(".question-option");
        if (li) li.classList.remove("is-right", "is-wrong");
      });
      checkButton.hidden = false;
      retry.hidden = true;
    }
    function check() {
      var v = value();
      if (kind === "text" ? !norm(v) : !v.length) {
        result.textContent = kind === "text" ? "Type an answer first." : "Choose an answer first.";
        return;
      }
      var ok = correct(v);
      record(id, { c: ok ? 1 : 0, v: v });
      show(v, ok);
      update();
    }
    form.addEventListener("submit", function (e) { e.preventDefault(); check(); });
    form.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target.type !== "text" && e.target.tagName === "INPUT") {
        e.preventDefault();
        check();
      }
    });
    retry.addEventListener("click", function () {
      clear();
      inputs[0].focus();
    });
    var saved = (answers()[slug] || {})[id];
    if (saved && saved.v != null) show(saved.v, !!saved.c);
  }

  function update() {
    var mine = answers()[slug] || {};
    var right = all.filter(function (q) { return (mine[q.dataset.question] || {}).c; }).length;
    var scores = load("practice", {}) || {};
    scores[slug] = [right, all.length];
    save("practice", scores);
    if (status) {
      status.textContent = right + " of " + all.length + (all.length === 1 ? " question" : " questions") +
        " answered correctly";
    }
    if (article && article.hasAttribute("data-finish-on-questions") && all.length && right === all.length) {
      var finished = load("finished", []) || [];
      if (finished.indexOf(slug) < 0) {
        finished.push(slug);
        save("finished", finished);
        doc.dispatchEvent(new CustomEvent("coursebuild:progress"));
      }
    }
  }

  all.forEach(setup);
  update();
})();
