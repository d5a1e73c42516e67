// arcface-lessons serve: reload this page when the site is rebuilt. Injected into served pages
// only (never into a built site). The server sends `hello` with its current generation when the
// stream opens and `reload` with each new one; a page served at an older generation reloads.
(function () {
  var me = document.currentScript;
  var served = me ? me.getAttribute("data-generation") : null;
  if (!window.EventSource) return;
  var events = new EventSource("/_serve/events");
  function check(e) {
    if (served !== null && e.data !== served) { events.close(); location.reload(); }
  }
  events.addEventListener("hello", check);
  events.addEventListener("reload", check);
})();
