/* coursebuild serve: live reload and the build-error overlay.
   Injected into served pages only; the files on disk never contain it. */
(function () {
  "use strict";
  var me = document.currentScript;
  var endpoint = me.getAttribute("data-endpoint");
  var build = me.getAttribute("data-build");
  var scrollKey = "coursebuild:scroll:" + location.pathname;
  var overlayId = "coursebuild-overlay";

  function restoreScroll() {
    var saved = sessionStorage.getItem(scrollKey);
    if (saved === null) return;
    window.scrollTo({ top: parseFloat(saved) || 0, behavior: "instant" });  // not the theme's smooth scrolling
  }

  function reload() {
    hideOverlay();
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    history.scrollRestoration = "manual";  // we put the reader back ourselves, once laid out
    location.reload();
  }

  function swapStylesheets(next) {
    build = next;
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("v", String(Date.now()));
      // Keep the old sheet until the new one arrives, so nothing flashes unstyled.
      var fresh = link.cloneNode();
      fresh.href = url.pathname + url.search + url.hash;
      fresh.addEventListener("load", function () { link.remove(); });
      fresh.addEventListener("error", function () { link.remove(); });
      link.after(fresh);
    });
  }

  function hideOverlay() {
    var old = document.getElementById(overlayId);
    if (old) old.remove();
  }

  function line(error) {
    var row = document.createElement("li");
    var where = document.createElement("span");
    where.className = "where";
    where.textContent = error.location + ": ";
    row.appendChild(where);
    row.appendChild(document.createTextNode(error.message));
    return row;
  }

  var overlayStyle =
    // The host itself is the fixed box, so it has a size (tests and tools see it).
    ":host{all:initial;display:block;position:fixed;top:0;left:0;right:0;z-index:2147483647}" +
    ".panel{max-height:60vh;overflow:auto;box-sizing:border-box;padding:16px 20px;background:#1b1b1f;color:#f4f4f5;" +
    "border-bottom:4px solid #e5484d;box-shadow:0 4px 24px rgba(0,0,0,.4);" +
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif}" +
    ".head{display:flex;align-items:center;gap:12px;margin:0 0 8px}" +
    "h2{font:inherit;font-weight:700;font-size:17px;margin:0;flex:1;color:#ffb3b3}" +
    "button{font:inherit;cursor:pointer;background:#3a3a40;color:#fff;border:1px solid #77777f;" +
    "border-radius:4px;padding:2px 10px}button:focus-visible{outline:3px solid #8ab4ff}" +
    "ul{margin:0;padding:0;list-style:none;font:14px/1.6 ui-monospace,Menlo,Consolas,monospace;" +
    "white-space:pre-wrap;overflow-wrap:anywhere}.where{color:#ffd089}" +
    "p{margin:8px 0 0;color:#c8c8cc;font-size:13px}";

  function showOverlay(errors) {
    hideOverlay();
    var host = document.createElement("div");
    host.id = overlayId;
    var root = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = overlayStyle;
    var panel = document.createElement("section");
    panel.className = "panel";
    panel.setAttribute("role", "alert");
    panel.setAttribute("aria-label", "Build errors");
    var head = document.createElement("div");
    head.className = "head";
    var title = document.createElement("h2");
    title.textContent = "Build failed: " + errors.length + " error" + (errors.length === 1 ? "" : "s");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.addEventListener("click", hideOverlay);
    head.appendChild(title);
    head.appendChild(close);
    var list = document.createElement("ul");
    errors.forEach(function (error) { list.appendChild(line(error)); });
    var hint = document.createElement("p");
    hint.textContent = "Fix the file and save: the page reloads by itself. Esc hides this panel.";
    panel.appendChild(head);
    panel.appendChild(list);
    panel.appendChild(hint);
    root.appendChild(style);
    root.appendChild(panel);
    (document.body || document.documentElement).appendChild(host);
  }

  function checkStatus() {
    fetch(endpoint + "status", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (!status.ok) showOverlay(status.errors);
        else if (status.build !== build) reload();  // a rebuild finished while we were not listening
        else hideOverlay();
      })
      .catch(function () { /* the server is restarting; the event stream retries */ });
  }

  function data(event) {
    try { return JSON.parse(event.data); } catch (e) { return {}; }
  }

  restoreScroll();
  window.addEventListener("load", function () {
    restoreScroll();  // again: images and fonts may have moved things since
    sessionStorage.removeItem(scrollKey);
    history.scrollRestoration = "auto";
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hideOverlay();
  });
  if (!window.EventSource) return;
  var source = new EventSource(endpoint + "events");
  source.addEventListener("open", checkStatus);
  source.addEventListener("reload", reload);
  source.addEventListener("css", function (event) { swapStylesheets(data(event).build); });
  source.addEventListener("errors", function (event) { showOverlay(data(event).errors || []); });
})();
