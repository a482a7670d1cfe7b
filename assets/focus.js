/* When a choice rewrites the address and the page is drawn again, keyboard focus returns to
   the control that had it (a new element with the same id), so keyboard users keep their place. */
(function () {
  var focusable = "input, select, textarea, button, a[href], [tabindex]";
  var pending = null;
  var pushState = window.history.pushState;
  window.history.pushState = function () {
    var active = document.activeElement;
    if (active && active !== document.body && active.id) {
      pending = { id: active.id, node: active, until: Date.now() + 5000 };
    }
    return pushState.apply(this, arguments);
  };
  function restore() {
    if (!pending) { return; }
    if (Date.now() > pending.until) { pending = null; return; }
    var target = document.getElementById(pending.id);
    if (!target || target === pending.node) { return; }
    var control = target.matches(focusable) ? target : target.querySelector(focusable);
    if (control) {
      pending = null;
      control.focus({ preventScroll: true });
    }
  }
  new MutationObserver(restore).observe(document.documentElement, { childList: true, subtree: true });
})();
