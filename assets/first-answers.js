/* The index HTML carries Dash's first two answers, the layout (with the page for this address
   already drawn) and the callbacks, as JSON data blocks (dashboard/web/first_visit.py). Dash's
   renderer asks for them with fetch as soon as it starts: each is answered once from its block,
   without a round trip to the server; every other request goes to the server as usual. */
(function () {
  var prefix = "malbild-answer-";
  var original = window.fetch;
  if (!original) { return; }
  window.fetch = function (resource, options) {
    var method = ((options && options.method) || "GET").toUpperCase();
    var url = typeof resource === "string" ? resource : resource && resource.url;
    if (method === "GET" && url) {
      var name = new URL(url, window.location.href).pathname.split("/").pop();
      var block = document.getElementById(prefix + name);
      if (block && /^_dash-(layout|dependencies)$/.test(name)) {
        var body = block.textContent;
        block.remove();
        return Promise.resolve(new Response(body, {
          status: 200, headers: { "Content-Type": "application/json" }
        }));
      }
    }
    return original.apply(this, arguments);
  };
})();
