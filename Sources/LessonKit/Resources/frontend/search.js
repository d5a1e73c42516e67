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
