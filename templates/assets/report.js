// Draws the report's charts from the JSON embedded in the page: registers
// the territory's commune contours as a map, then adds French number
// formats and escaped tooltips to each echarts option.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("diag-data").textContent);
  var formats = {};
  function fr(v, d) {
    if (v === null || v === undefined || v === "-" || isNaN(v)) {
      return "n.d.";
    }
    var f = formats[d] || (formats[d] = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: d, maximumFractionDigits: d }));
    return f.format(v);
  }
  // frAxis formats an axis tick with at least d decimals and as many more
  // (up to two) as the tick needs: echarts puts ticks every 0,5 on a
  // short axis, which 0 decimals would label "0 1 1 2 2".
  function frAxis(v, d) {
    var k = "axis" + d;
    var f = formats[k] || (formats[k] = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: d, maximumFractionDigits: d + 2 }));
    return f.format(v);
  }
  var entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return entities[c]; });
  }
  function valueOf(p) {
    var v = p.value;
    if (Array.isArray(v)) {
      v = v[v.length - 1];
    }
    return v;
  }
  // decOf is the decimals of a value: its own (an APL whose class needs
  // more than the chart's, "2,501") or the chart's.
  function decOf(p, spec) {
    return (p.data && p.data.dec) ? p.data.dec : spec.dec;
  }
  function tooltip(spec) {
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      var p0 = list[0];
      if (p0.data && p0.data.tip) {
        return p0.data.tip; // escaped when the page was written
      }
      var out = "<b>" + esc(p0.name) + "</b>";
      list.forEach(function (p) {
        var v = valueOf(p);
        var shown = (v === undefined || v === null || v === "-") ? "n.d." : fr(v, decOf(p, spec)) + spec.unit;
        out += "<br>" + p.marker + esc(p.seriesName) + " : " + shown;
      });
      return out;
    };
  }
  function localise(spec) {
    var o = spec.option;
    o.tooltip = o.tooltip || {};
    o.tooltip.confine = true;
    o.tooltip.formatter = tooltip(spec);
    ["xAxis", "yAxis"].forEach(function (k) {
      (o[k] || []).forEach(function (a) {
        if (a.type !== "category" && !a.data) {
          a.type = "value";
          a.axisLabel = a.axisLabel || {};
          a.axisLabel.formatter = function (v) { return frAxis(v, spec.axdec); };
        }
      });
    });
    (o.series || []).forEach(function (s) {
      if (s.label && s.label.show && !s.names) {
        s.label.formatter = function (p) {
          var v = valueOf(p);
          if (v === undefined || v === null || v === "-") {
            return "";
          }
          if (s.stack && v < 6) {
            return ""; // too thin a slice for a label
          }
          return fr(v, decOf(p, spec)) + spec.unit;
        };
      }
      if (s.markLine && s.markLine.data) {
        s.markLine.label = s.markLine.label || {};
        s.markLine.label.formatter = function (p) { return p.name; };
      }
    });
    return o;
  }
  var hasMap = data.geo && data.geo.features && data.geo.features.length > 0;
  if (hasMap) {
    echarts.registerMap("territoire", data.geo);
  }
  var drawn = [];
  data.charts.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    if (!el) {
      return;
    }
    if (spec.option.geo && !hasMap) {
      el.textContent = "Carte non disponible : aucun contour de commune pour ce territoire.";
      return;
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    // A viewBox lets the print style scale the drawing to the page width,
    // even when the browser prints without a beforeprint event.
    chart.on("finished", function () { fitViewBox(el); });
    chart.setOption(localise(spec));
    fitViewBox(el);
    drawn.push(chart);
  });
  function fitViewBox(el) {
    var svg = el.querySelector("svg");
    var w = svg && parseFloat(svg.getAttribute("width"));
    var h = svg && parseFloat(svg.getAttribute("height"));
    if (w > 0 && h > 0) {
      svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    }
  }
  // redraw resizes a chart and paints it at once: printing does not wait
  // for the next animation frame.
  function redraw(c, size) {
    c.resize(size);
    c.getZr().refreshImmediately();
    fitViewBox(c.getDom());
  }
  function resize() {
    drawn.forEach(function (c) { redraw(c); });
  }
  // Printed charts are drawn at about the width of the printed column of
  // an A4 page (186 mm); the print style scales them to the exact width.
  var printWidth = 700;
  function resizeForPrint() {
    drawn.forEach(function (c) { redraw(c, { width: printWidth, height: c.getHeight() }); });
  }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resizeForPrint);
  window.addEventListener("afterprint", resize);
  document.documentElement.setAttribute("data-charts", String(drawn.length));
})();

// Tables wider than the screen (a phone) scroll sideways, their first
// column held in place by the style sheet: mark them so that the page says
// it, instead of clipping silently.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".table-wrap").forEach(function (w) {
      w.classList.toggle("scrolls", w.scrollWidth > w.clientWidth + 1);
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
