/* After a selection rewrites the URL and the page is drawn again, focus returns to the control
   that changed (dashboard/urlstate.py sets window.malbildRestoreFocus just before). */
(function () {
  var focusable = "input, select, textarea, button, a[href], [tabindex]";
  function restore() {
    var id = window.malbildRestoreFocus;
    if (!id) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active) && active.id === id) {
      window.malbildRestoreFocus = null;
      return;
    }
    var target = document.getElementById(id);
    if (!target) { return; }
    var control = target.matches(focusable) ? target : target.querySelector(focusable);
    if (control) {
      control.focus({ preventScroll: true });
      window.malbildRestoreFocus = null;
    }
  }
  new MutationObserver(restore).observe(document.documentElement, { childList: true, subtree: true });
})();
