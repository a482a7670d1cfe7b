/* Swedish texts and date formats for Plotly charts (registered before or after Plotly loads). */
(function () {
  var locale = {
    moduleType: "locale",
    name: "sv",
    dictionary: {
      "Autoscale": "Skala automatiskt",
      "Reset axes": "Återställ axlar",
      "Zoom in": "Zooma in",
      "Zoom out": "Zooma ut",
      "Download plot as a png": "Ladda ner diagrammet som PNG",
      "Download plot": "Ladda ner diagrammet",
      "Double-click on legend to isolate one trace": "Dubbelklicka på en förklaring för att visa bara den serien",
      "Double-click to zoom back out": "Dubbelklicka för att zooma ut",
      "Click to enter Plot title": "Klicka för att skriva en rubrik",
      "Pan": "Panorera",
      "Zoom": "Zooma",
      "Show closest data on hover": "Visa närmaste värde",
      "Compare data on hover": "Jämför värden"
    },
    format: {
      days: ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
      shortDays: ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
      months: ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
               "september", "oktober", "november", "december"],
      shortMonths: ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt",
                    "nov", "dec"],
      date: "%Y-%m-%d",
      decimal: ",",
      thousands: "\u00a0"
    }
  };
  if (typeof window.Plotly === "undefined") {
    window.PlotlyLocales = window.PlotlyLocales || [];
    window.PlotlyLocales.push(locale);
  } else {
    window.Plotly.register(locale);
  }
})();
