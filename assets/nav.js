/* Marks the menu link of the page being shown with aria-current="page" (and so its style), and
   gives the shell's links (menu, brand, footer: data-carry-year) the follow-up year of the page
   shown (?ar=), so that the year survives every link. The shell is drawn once for many pages;
   the pages' own links get the year from the server. */
(function () {
  function carryYear(link, name, year) {
    var address = link.getAttribute("data-home") || link.getAttribute("href");
    if (!link.getAttribute("data-home")) { link.setAttribute("data-home", address); }
    var url = new URL(address, window.location.origin);
    if (year) { url.searchParams.set(name, year); } else { url.searchParams.delete(name); }
    var next = url.pathname + url.search + url.hash;
    if (link.getAttribute("href") !== next) { link.setAttribute("href", next); }
  }
  function mark() {
    var path = window.location.pathname;
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll("a[data-carry-year]").forEach(function (link) {
      var name = link.getAttribute("data-carry-year");
      carryYear(link, name, params.get(name));
    });
    document.querySelectorAll(".nav-link").forEach(function (link) {
      var href = link.getAttribute("data-home") || link.getAttribute("href");
      var current = href === "/" ? path === "/" : path === href || path.indexOf(href + "/") === 0;
      if (current) { link.setAttribute("aria-current", "page"); }
      else { link.removeAttribute("aria-current"); }
    });
  }
  new MutationObserver(mark).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("popstate", mark);
  document.addEventListener("DOMContentLoaded", mark);
})();
