/* An address with a #fragment (a word on /sa-laser-du, a measure on a goal page) shows that
   place once the page is drawn: the page is drawn by script, after the browser looked for the
   place and found nothing. Once per address, so that reading on is never pulled back. */
(function () {
  var shown = null;
  function show() {
    var hash = window.location.hash;
    if (!hash || shown === window.location.href) { return; }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) { return; }
    shown = window.location.href;
    target.scrollIntoView();
  }
  new MutationObserver(show).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("hashchange", function () { shown = null; show(); });
  document.addEventListener("DOMContentLoaded", show);
})();
