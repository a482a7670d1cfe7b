/* Marks the menu link of the page being shown with aria-current="page" (and so its style). */
(function () {
  function mark() {
    var path = window.location.pathname;
    document.querySelectorAll(".nav-link").forEach(function (link) {
      var href = link.getAttribute("href");
      var current = href === "/" ? path === "/" : path === href || path.indexOf(href + "/") === 0;
      if (current) { link.setAttribute("aria-current", "page"); }
      else { link.removeAttribute("aria-current"); }
    });
  }
  new MutationObserver(mark).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("popstate", mark);
  document.addEventListener("DOMContentLoaded", mark);
})();
