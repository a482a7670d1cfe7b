/* Downloads that take a while (the yearly report): the link says that the file is being made,
   and then that it is ready or what went wrong. Links marked data-busy are fetched by script;
   without script they are ordinary download links. */
(function () {
  function say(status, text, failed) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("download-failed", Boolean(failed));
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-busy]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    if (link.getAttribute("aria-disabled") === "true") { return; }
    var status = document.getElementById(link.dataset.status);
    var label = link.textContent;
    var name = link.getAttribute("download") || "";
    link.setAttribute("aria-disabled", "true");
    link.classList.add("busy");
    link.textContent = link.dataset.busy;
    say(status, link.dataset.busy + " Det tar några sekunder.", false);
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) { throw new Error(text); });
        }
        return response.blob();
      })
      .then(function (blob) {
        var url = URL.createObjectURL(blob);
        var save = document.createElement("a");
        save.href = url;
        save.download = name;
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        say(status, "Klar: " + name + " har laddats ner.", false);
      })
      .catch(function (error) {
        say(status, "Det gick inte att skapa " + name + ". " + (error.message || ""), true);
      })
      .then(function () {
        link.textContent = label;
        link.removeAttribute("aria-disabled");
        link.classList.remove("busy");
      });
  }, true);
})();
