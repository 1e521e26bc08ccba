/* coursebuild reader conveniences for topic pages: copy buttons on code blocks,
   images enlarged in a dialog, and "back to top" on long pages.
   Progressive enhancement: the page is complete without this file. */
(function () {
  "use strict";

  var doc = document;
  function $$(sel, ctx) { return Array.prototype.slice.call((ctx || doc).querySelectorAll(sel)); }
  function el(tag, cls, text) {
    var node = doc.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  // One polite live region announces what a button did ("Copied").
  var live = el("p", "visually-hidden reader-status");
  live.setAttribute("role", "status");
  doc.body.appendChild(live);
  function announce(text) {
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 30);
  }

  /* ---------- Copy buttons --------------------------------------------- */

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // Plain http (a LAN preview): the old way still works from a click.
    return new Promise(function (resolve, reject) {
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.cssText = "position:fixed;top:0;left:0;opacity:0";
      doc.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }

  $$(".prose pre").forEach(function (pre) {
    var code = pre.querySelector("code") || pre;
    var wrap = el("div", "code-block");
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    var button = el("button", "copy-button", "Copy");
    button.type = "button";
    button.setAttribute("aria-label", "Copy code");
    wrap.appendChild(button);
    var timer = 0;
    button.addEventListener("click", function () {
      copyText(code.textContent.replace(/\n$/, "")).then(function () {
        button.textContent = "Copied";
        button.classList.add("is-done");
        announce("Copied");
      }, function () {
        button.textContent = "Press Ctrl+C";
        announce("Copy failed: select the code and press Ctrl+C");
      });
      clearTimeout(timer);
      timer = setTimeout(function () {
        button.textContent = "Copy";
        button.classList.remove("is-done");
      }, 2000);
    });
  });

  /* ---------- Images full size ----------------------------------------- */

  var zoom = null;
  var zoomTrigger = null;
  function zoomDialog() {
    if (zoom) return zoom;
    zoom = el("dialog", "zoom-dialog");
    zoom.setAttribute("aria-label", "Image");
    var close = el("button", "icon-button zoom-close");
    close.type = "button";
    close.setAttribute("aria-label", "Close image");
    close.innerHTML = '<span aria-hidden="true">×</span>';
    zoom.appendChild(close);
    zoom.appendChild(el("img", "zoom-image"));
    // Any click closes: on the backdrop, the image or the button.
    zoom.addEventListener("click", function () { zoom.close(); });
    zoom.addEventListener("close", function () {
      if (zoomTrigger) zoomTrigger.focus();
    });
    doc.body.appendChild(zoom);
    return zoom;
  }
  function openZoom(img, trigger) {
    var dialog = zoomDialog();
    var big = dialog.querySelector(".zoom-image");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt;
    dialog.setAttribute("aria-label", img.alt ? "Image: " + img.alt : "Image");
    zoomTrigger = trigger;
    dialog.showModal();
    dialog.querySelector(".zoom-close").focus();
  }

  $$(".prose img").forEach(function (img) {
    if (img.closest("a, button") || !window.HTMLDialogElement) return;
    var button = el("button", "zoom-button");
    button.type = "button";
    button.setAttribute("aria-label", "Enlarge image" + (img.alt ? ": " + img.alt : ""));
    if (img.closest("figure")) button.classList.add("is-block");
    img.parentNode.insertBefore(button, img);
    button.appendChild(img);
    button.addEventListener("click", function () { openZoom(img, button); });
  });

  /* ---------- Back to top ---------------------------------------------- */

  var top = el("a", "back-to-top", "Back to top");
  top.href = "#main";
  top.hidden = true;
  top.addEventListener("click", function (e) {
    e.preventDefault();
    window.scrollTo({ top: 0 });
    var main = doc.getElementById("main");
    if (main) main.focus({ preventScroll: true });
  });
  doc.body.appendChild(top);
  var ticking = false;
  function updateTop() {
    ticking = false;
    var long = doc.documentElement.scrollHeight > window.innerHeight * 3;
    top.hidden = !long || window.scrollY < window.innerHeight * 1.5;
  }
  window.addEventListener("scroll", function () {
    if (!ticking) { ticking = true; requestAnimationFrame(updateTop); }
  }, { passive: true });
  updateTop();
})();
