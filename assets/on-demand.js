/* Content drawn only when it is needed, from data the page carries (much cheaper than as Dash
   components). Everything is set as text, never as HTML.
   * Table views ("Visa som tabell", dashboard/web/components/common.py): a closed one carries its
     cells as JSON in data-table; its table is drawn when it is first opened (by mouse, keyboard
     or script), or before the page is printed.
   * Suggestions of a text field (<datalist data-options="[…]">, the explore page's kommuner):
     the options are made when the field first gets focus. */
(function () {
  function cell(tag, text, attrs) {
    var node = document.createElement(tag);
    node.textContent = text;
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  function draw(holder) {
    var data;
    try {
      data = JSON.parse(holder.getAttribute("data-table"));
    } catch (error) {
      return;
    }
    holder.removeAttribute("data-table");
    var numeric = {};
    data.numeric.forEach(function (i) { numeric[i] = true; });
    var table = document.createElement("table");
    table.className = "data-table";
    table.appendChild(cell("caption", data.caption));
    var head = table.appendChild(document.createElement("thead")).appendChild(
      document.createElement("tr"));
    data.columns.forEach(function (name) { head.appendChild(cell("th", name, { scope: "col" })); });
    var body = table.appendChild(document.createElement("tbody"));
    data.rows.forEach(function (row) {
      var tr = body.appendChild(document.createElement("tr"));
      row.forEach(function (value, i) {
        tr.appendChild(i === 0 ? cell("th", value, { scope: "row" })
          : cell("td", value, numeric[i] ? { "class": "num" } : null));
      });
    });
    holder.appendChild(table);
  }

  function drawIn(details) {
    details.querySelectorAll("[data-table]").forEach(draw);
  }

  /* toggle does not bubble, but it passes the document on its way down (capture). */
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.open && details.matches && details.matches("details.table-view")) {
      drawIn(details);
    }
  }, true);

  document.addEventListener("focusin", function (event) {
    var list = event.target.list;
    var values = list && list.getAttribute("data-options");
    if (!values) { return; }
    list.removeAttribute("data-options");
    JSON.parse(values).forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      list.appendChild(option);
    });
  });

  /* Printed pages show every table (style.css): draw them and open them for the print. */
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.table-view:not([open])").forEach(function (details) {
      drawIn(details);
      details.open = true;
      opened.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();
