/* What Dash's own scripts need from the page. The regenerator runtime (for their async
   functions) comes with dash-bootstrap-components, loaded after the app's scripts, since the app
   does not load Babel's polyfill (dashboard/headers.py); say so at once if it ever does not. */
document.addEventListener("DOMContentLoaded", function () {
  if (typeof window.regeneratorRuntime === "undefined") {
    console.error("Målbild: regeneratorRuntime saknas (kom tidigare med dash-bootstrap-components).");
  }
});
