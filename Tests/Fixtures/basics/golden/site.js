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
  function show() {
    var results = search(input.value);
    list.textContent = "";
    list.hidden = input.value.trim() === "";
    if (!list.hidden && !results.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "No matches";
      list.appendChild(none);
    }
    var term = words(input.value)[0] || "";
    results.forEach(function (e) {
      var li = document.createElement("li"), a = document.createElement("a"), p = document.createElement("span");
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
    if (ev.key === "Enter") { var first = list.querySelector("a"); if (first) window.location.href = first.href; }
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
