(function () {
  "use strict";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var index = window.ARCFACE_SEARCH || [];
  if (!input || !list) return;
  function words(s) { return s.toLowerCase().split(/[^a-z0-9\u00c0-\uffff_]+/).filter(Boolean); }
  function snippet(text, term) {
    var i = text.toLowerCase().indexOf(term);
    if (i < 0) return text.slice(0, 120);
    var start = Math.max(0, i - 50);
    return (start > 0 ? "\u2026" : "") + text.slice(start, i + 90) + "\u2026";
  }
  function search(query) {
    var terms = words(query);
    if (!terms.length) return [];
    var hits = [];
    index.forEach(function (e) {
      var title = (e.page + " " + e.section).toLowerCase(), body = e.text.toLowerCase(), score = 0;
      for (var k = 0; k < terms.length; k++) {
        var t = terms[k];
        if (title.indexOf(t) >= 0) score += 10;
        else if (body.indexOf(t) >= 0) score += 1;
        else return;
      }
      hits.push({ e: e, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return hits.slice(0, 12).map(function (h) { return h.e; });
  }
  // The hit chosen with the arrow keys (-1: none); Enter opens it, or the first hit.
  var active = -1;
  function hits() { return list.querySelectorAll("li.hit"); }
  function choose(k) {
    var all = hits();
    if (!all.length) { active = -1; return; }
    active = (k + all.length) % all.length;
    for (var i = 0; i !== all.length; i++) {
      all[i].classList.toggle("active", i === active);
      all[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    input.setAttribute("aria-activedescendant", all[active].id);
    if (all[active].scrollIntoView) all[active].scrollIntoView({ block: "nearest" });
  }
  function show() {
    var results = search(input.value);
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    list.hidden = input.value.trim() === "";
    input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    if (!list.hidden && !results.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "No matches";
      list.appendChild(none);
    }
    var term = words(input.value)[0] || "";
    results.forEach(function (e, k) {
      var li = document.createElement("li"), a = document.createElement("a"), p = document.createElement("span");
      li.className = "hit";
      li.id = "search-hit-" + k;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      a.tabIndex = -1;
      a.href = e.url;
      a.textContent = e.page + (e.section ? " \u203a " + e.section : "");
      p.className = "snippet";
      p.textContent = snippet(e.text, term);
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
  }
  input.addEventListener("input", show);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { input.value = ""; show(); }
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (list.hidden) return;
      ev.preventDefault();
      choose(active < 0 ? (ev.key === "ArrowDown" ? 0 : -1) : active + (ev.key === "ArrowDown" ? 1 : -1));
    }
    if (ev.key === "Enter") {
      var all = hits(), hit = all[active >= 0 ? active : 0];
      var link = hit && hit.querySelector("a");
      if (link) { ev.preventDefault(); window.location.href = link.href; }
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement !== input) { ev.preventDefault(); input.focus(); }
  });
})();
(function () {
  "use strict";
  function wire(root) {
    if (root.plotSliderWired) return;
    var input = root.querySelector("input[type=range]");
    var output = root.querySelector("output");
    var slides = root.querySelectorAll(".slide");
    if (!input || slides.length === 0) return;
    root.plotSliderWired = true;
    var name = root.getAttribute("data-parameter") || "";
    function show() {
      var i = Math.max(0, Math.min(slides.length - 1, Math.round(Number(input.value)) || 0));
      for (var k = 0; k !== slides.length; k++) {
        if (k === i) slides[k].removeAttribute("hidden"); else slides[k].setAttribute("hidden", "");
      }
      var value = slides[i].getAttribute("data-value") || "";
      if (output) output.textContent = value;
      input.setAttribute("aria-valuetext", name + " = " + value);
    }
    input.addEventListener("input", show);
    input.addEventListener("change", show);
    show();
  }
  function init() {
    var all = document.querySelectorAll(".plot-slider");
    for (var i = 0; i !== all.length; i++) wire(all[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
(function () {
  "use strict";
  var doc = document, root = doc.documentElement, body = doc.body;
  var themeKey = "arcface-lessons-theme";

  // Copying: navigator.clipboard where the page may use it (https, localhost), else a hidden
  // textarea and execCommand("copy"), which also works on file:// pages.
  function fallbackCopy(text) {
    var area = doc.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    area.style.opacity = "0";
    body.appendChild(area);
    var focused = doc.activeElement;
    area.select();
    var ok = false;
    try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
    body.removeChild(area);
    if (focused && focused.focus) focused.focus();
    return ok;
  }
  function copyText(text) {
    window.arcfaceLastCopied = text;
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallbackCopy(text); });
    }
    return Promise.resolve(fallbackCopy(text));
  }
  function flash(button, ok) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = ok ? "Copied" : "Press Ctrl+C";
    button.classList.add("copied");
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1600);
    var live = doc.getElementById("copy-status");
    if (live) live.textContent = ok ? "Copied to the clipboard" : "Could not copy; select the text and press Ctrl+C";
  }
  function copyButton(label, what, text) {
    var b = doc.createElement("button");
    b.type = "button";
    b.className = "copy";
    b.textContent = label;
    b.setAttribute("aria-label", "Copy " + what);
    b.addEventListener("click", function () {
      var t = typeof text === "function" ? text() : text;
      copyText(t).then(function (ok) { flash(b, ok); });
    });
    return b;
  }
  // What a code block holds, without trailing newline.
  function codeText(pre) { return pre.textContent.replace(/\n+$/, ""); }
  function kindOf(pre) {
    if (pre.classList.contains("output")) return "output";
    if (pre.classList.contains("command")) return "command";
    var code = pre.querySelector("code");
    if (code && code.className.indexOf("python") >= 0) return "Python code";
    if (code && code.className.indexOf("swift") >= 0) return "Swift code";
    return "code";
  }

  var lesson = body.getAttribute("data-lesson");
  var replCount = 0;
  function tools() {
    var live = doc.createElement("p");
    live.id = "copy-status";
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    body.appendChild(live);
    var pres = doc.querySelectorAll("main pre");
    for (var i = 0; i !== pres.length; i++) {
      var pre = pres[i];
      if (pre.parentNode.classList && pre.parentNode.classList.contains("code-block")) continue;
      var wrap = doc.createElement("div");
      wrap.className = "code-block";
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      var bar = doc.createElement("div");
      bar.className = "code-tools";
      bar.appendChild(copyButton("Copy", kindOf(pre), codeText.bind(null, pre)));
      var cell = pre.classList.contains("code") && lesson ? pre.closest(".cell[id^='cell-']") : null;
      if (cell) bar.insertBefore(replTool(wrap, cell.id.slice(5)), bar.firstChild);
      wrap.appendChild(bar);
    }
  }
  // The command that opens the REPL at this cell (1-based, as the REPL numbers cells).
  function replTool(wrap, n) {
    var command = "arcface-lessons repl " + lesson + ":" + n;
    var b = doc.createElement("button");
    b.type = "button";
    b.className = "repl";
    b.textContent = "REPL";
    b.title = command;
    b.setAttribute("aria-label", "Show the command that opens the REPL at cell " + n);
    b.setAttribute("aria-expanded", "false");
    var panel = doc.createElement("div");
    panel.className = "repl-command";
    panel.id = "repl-command-" + (++replCount);
    panel.hidden = true;
    b.setAttribute("aria-controls", panel.id);
    var label = doc.createElement("span");
    label.textContent = "Open the REPL at cell " + n + ":";
    var code = doc.createElement("code");
    code.textContent = command;
    panel.appendChild(label);
    panel.appendChild(code);
    panel.appendChild(copyButton("Copy", "the REPL command", command));
    wrap.appendChild(panel);
    function set(open) {
      panel.hidden = !open;
      b.setAttribute("aria-expanded", open ? "true" : "false");
      b.parentNode.classList.toggle("shown", open);
    }
    b.addEventListener("click", function () { set(panel.hidden); });
    panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { set(false); b.focus(); } });
    return b;
  }

  // Dark-mode toggle: the stored choice, else the system's.
  var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function isDark() {
    var t = root.getAttribute("data-theme");
    return t ? t === "dark" : !!(system && system.matches);
  }
  function themeToggle() {
    var b = doc.querySelector(".theme-toggle");
    if (!b) return;
    function sync() {
      var dark = isDark();
      b.setAttribute("aria-pressed", dark ? "true" : "false");
      b.title = dark ? "Light mode" : "Dark mode";
    }
    b.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem(themeKey, next); } catch (e) {}
      sync();
    });
    if (system && system.addEventListener) system.addEventListener("change", sync);
    sync();
  }

  // The sidebar drawer below 1180 px.
  function sidebar() {
    var button = doc.querySelector(".menu-button"), nav = doc.getElementById("sidebar");
    if (!button || !nav) return;
    var backdrop = null;
    function set(open) {
      body.classList.toggle("sidebar-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open && !backdrop) {
        backdrop = doc.createElement("div");
        backdrop.className = "sidebar-backdrop";
        backdrop.addEventListener("click", function () { set(false); });
        body.appendChild(backdrop);
      } else if (!open && backdrop) {
        body.removeChild(backdrop);
        backdrop = null;
      }
      if (open) { var here = nav.querySelector("[aria-current]") || nav.querySelector("a"); if (here) here.focus(); }
    }
    button.addEventListener("click", function () { set(!body.classList.contains("sidebar-open")); });
    nav.addEventListener("click", function (ev) { if (ev.target.closest("a") && body.classList.contains("sidebar-open")) set(false); });
    doc.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && body.classList.contains("sidebar-open")) { set(false); button.focus(); }
    });
    // The section being read is marked in the sidebar's contents.
    var links = nav.querySelectorAll("ol.toc a");
    if (!links.length || !window.IntersectionObserver) return;
    var byId = {};
    for (var i = 0; i !== links.length; i++) byId[decodeURIComponent(links[i].hash.slice(1))] = links[i];
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) return;
        for (var k = 0; k !== links.length; k++) links[k].classList.remove("here");
        var a = byId[e.target.id];
        if (a) a.classList.add("here");
      });
    }, { rootMargin: "-10% 0px -75% 0px" });
    Object.keys(byId).forEach(function (id) { var h = doc.getElementById(id); if (h) observer.observe(h); });
  }

  // Tables scroll in their own box; a fade and a note say that columns are out of sight.
  function tables() {
    var all = doc.querySelectorAll("main table");
    for (var i = 0; i !== all.length; i++) {
      var table = all[i];
      if (table.closest(".plot-data") || table.closest(".table-scroll")) continue;
      var wrap = table.parentNode;
      if (!wrap.classList.contains("table-wrap")) {
        wrap = doc.createElement("div");
        wrap.className = "table-wrap";
        table.parentNode.insertBefore(wrap, table);
        wrap.appendChild(table);
      }
      var box = doc.createElement("div");
      box.className = "table-scroll";
      wrap.parentNode.insertBefore(box, wrap);
      var hint = doc.createElement("p");
      hint.className = "scroll-hint";
      hint.setAttribute("aria-hidden", "true");
      hint.textContent = "Scroll sideways for all " + (table.rows[0] ? table.rows[0].cells.length : "") + " columns \u2192";
      hint.hidden = true;
      box.parentNode.insertBefore(hint, box);
      box.appendChild(wrap);
      watch(box, wrap, table, hint);
    }
  }
  function watch(box, wrap, table, hint) {
    function update() {
      var over = wrap.scrollWidth > wrap.clientWidth + 1;
      box.classList.toggle("overflows", over);
      hint.hidden = !over;
      box.classList.toggle("more-left", over && wrap.scrollLeft > 1);
      box.classList.toggle("more-right", over && wrap.scrollLeft + wrap.clientWidth < wrap.scrollWidth - 1);
      if (over) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var caption = table.querySelector("caption");
        wrap.setAttribute("aria-label", (caption ? caption.textContent : "Table") + " (scrolls sideways)");
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    }
    wrap.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  }

  // ← and → go to the previous and next lesson, unless the key means something where it is pressed.
  function arrows() {
    doc.addEventListener("keydown", function (ev) {
      if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      if (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight") return;
      var t = ev.target;
      if (t && t.closest && t.closest("input, textarea, select, [contenteditable], .table-wrap, pre, math, details, .plot-slider, nav.sidebar")) return;
      if (body.classList.contains("sidebar-open")) return;
      var a = doc.querySelector(ev.key === "ArrowLeft" ? "nav.pager a[rel=prev]" : "nav.pager a[rel=next]");
      if (a) { ev.preventDefault(); window.location.href = a.href; }
    });
  }

  // A phone's search box is narrow: a placeholder that fits.
  function placeholder() {
    var input = doc.getElementById("search-input");
    if (input && window.matchMedia && window.matchMedia("(max-width: 600px)").matches) input.placeholder = "Search";
  }

  function init() { tools(); themeToggle(); sidebar(); tables(); arrows(); placeholder(); }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
