/* Charts on narrow screens. Each figure carries in layout.meta a narrow variant of its layout
   (made with the figure on the server, dashboard/present/figures.py) and the wide values it replaces,
   and, where long legend names are wrapped, both sets of trace names (meta.names).
   A chart narrower than meta.below is drawn with the narrow variant from its first draw, and
   switches when its width crosses the limit (a resized window, a turned phone) or turns out,
   once drawn, to be on the other side of it. Exported images never see this. */
(function () {
  function variant(gd, layout) {
    var meta = layout && layout.meta;
    if (!meta || !meta.narrow || !gd || !gd.clientWidth) { return null; }
    return gd.clientWidth < meta.below ? "narrow" : "wide";
  }

  /* Sets a relayout path ("legend.y", "annotations[0].text") in a plain layout object. */
  function setPath(target, path, value) {
    var parts = path.split(".");
    var node = target;
    parts.forEach(function (part, i) {
      var match = /^(\w+)\[(\d+)\]$/.exec(part);
      var last = i === parts.length - 1;
      if (match) {
        node = node[match[1]] = node[match[1]] || [];
        var index = Number(match[2]);
        if (last) { node[index] = value; return; }
        node = node[index] = node[index] || {};
      } else if (last) {
        if (value === null) { delete node[part]; } else { node[part] = value; }
      } else {
        node = node[part] = node[part] || {};
      }
    });
  }

  function install(Plotly) {
    var react = Plotly.react;
    Plotly.react = function (gd, figure) {
      var args = Array.prototype.slice.call(arguments);
      var layout = figure && figure.layout;
      if (variant(gd, layout) === "narrow") {
        var narrow = JSON.parse(JSON.stringify(layout));
        Object.keys(layout.meta.narrow).forEach(function (path) {
          setPath(narrow, path, layout.meta.narrow[path]);
        });
        narrow.meta.applied = "narrow";
        var names = layout.meta.names && layout.meta.names.narrow;
        var data = !names ? figure.data : figure.data.map(function (trace, i) {
          return names[i] === null || names[i] === undefined ? trace
            : Object.assign({}, trace, { name: names[i] });
        });
        args[1] = Object.assign({}, figure, { layout: narrow, data: data });
      }
      var drawn = react.apply(this, args);
      watcher.observe(gd);
      Promise.resolve(drawn).then(function () { adjust(gd); });
      return drawn;
    };
  }

  /* Draws the chart with the variant its width wants, if it was drawn with the other: its
     width may have changed since (a turned phone, a resized window), or not have been known
     when it was first drawn (a chart drawn before its page was laid out). */
  function adjust(gd) {
    var wanted = variant(gd, gd.layout);
    var applied = (gd.layout && gd.layout.meta && gd.layout.meta.applied) || "wide";
    if (!wanted || wanted === applied) { return; }
    var update = Object.assign({}, gd.layout.meta[wanted], { "meta.applied": wanted });
    var names = gd.layout.meta.names;
    if (names) {
      var traces = [], wantedNames = [];
      names[wanted].forEach(function (name, i) {
        if (name !== null && name !== undefined) { traces.push(i); wantedNames.push(name); }
      });
      window.Plotly.update(gd, { name: wantedNames }, update, traces);
    } else {
      window.Plotly.relayout(gd, update);
    }
  }

  /* Every drawn chart is watched for a change of its size; a burst of changes (a window being
     dragged) is answered once, 150 ms after the last. */
  var pending = new WeakMap();
  var watcher = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var gd = entry.target;
      clearTimeout(pending.get(gd));
      pending.set(gd, setTimeout(function () { adjust(gd); }, 150));
    });
  });

  /* Installed the moment plotly.js defines window.Plotly (its script follows this one): Dash
     may draw the first charts before DOMContentLoaded, from the answers in the page itself
     (assets/first-answers.js), and a chart drawn before the wrapper would stay wide. */
  var installed = null;
  function installOnce(Plotly) {
    if (Plotly && Plotly.react && installed !== Plotly) {
      installed = Plotly;
      install(Plotly);
    }
  }
  if (window.Plotly) {
    installOnce(window.Plotly);
  } else {
    var plotly;
    Object.defineProperty(window, "Plotly", {
      configurable: true, enumerable: true,
      get: function () { return plotly; },
      set: function (value) { plotly = value; installOnce(value); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.Plotly) {
      installOnce(window.Plotly);
    } else {
      console.error("Målbild: plotly.js saknas (assets/vendor). Kör «make install».");
    }
  });
})();
