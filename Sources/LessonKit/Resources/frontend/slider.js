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
