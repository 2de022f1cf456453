/* The book's chart runtime: draws every <figure class="egov-chart"> on the page with Vega.

   On the website this file is served once, from _static/egov-charts.js, after Vega and
   vega-tooltip (book/_ext/offline_vega.py adds the three scripts to pages with charts and
   moves each chart's rows to content-addressed data files under _static/egov-data/). In a
   notebook, chart.html.j2 inlines this file in every chart, and the first copy to run loads
   Vega and Vega-Lite from the URLs the figure names; later copies only look for new charts.

   Each figure holds its specification in <script type="application/json" id="ID-spec">.
   Charts in the first screen are drawn first; when the others are drawn is said at scan().
   On the website a chart fits its column: usermeta.egov (written at build time) says how
   (a width that fits, or a layout whose panels shrink or grow), and narrow columns get the
   legend below the plot, one panel per row and titles wrapped to the width. */
(function () {
  "use strict";
  if (window.egovCharts) {
    window.egovCharts.scan();
    return;
  }
  var here = document.currentScript;
  // Data files sit next to this file on the website (_static/egov-data/).
  var base = here && here.src ? here.src.replace(/[^/]*$/, "") : "";

  // --- scripts: libraries (notebook only) and data files (website) ---------------------
  var scripts = {};
  function loadScript(url) {
    if (!scripts[url]) {
      scripts[url] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = url;
        script.onload = resolve;
        script.onerror = function () { reject(new Error("could not load " + url)); };
        document.head.appendChild(script);
      });
    }
    return scripts[url];
  }
  function libraries(figure, spec) {
    var urls = JSON.parse(figure.getAttribute("data-egov-libraries") || "{}");
    var needsVegaLite = /vega-lite/.test(spec.$schema || "");
    var vega = window.vega ? Promise.resolve() : loadScript(urls.vega);
    return vega.then(function () {
      if (needsVegaLite && !window.vegaLite) return loadScript(urls["vega-lite"]);
    });
  }

  // --- data: columns in files named by their content, so each is downloaded once --------
  var columns = {};   // hash -> decoded values
  var pending = {};   // hash -> [resolve, reject]
  function decode(encoded) {
    if (Array.isArray(encoded)) return encoded;
    var dictionary = encoded.d, out = [], i, j, code;
    if (encoded.x !== undefined) {  // codes in base 36, w digits each (offline_vega.fixed_width)
      for (i = 0; i < encoded.x.length; i += encoded.w) {
        code = parseInt(encoded.x.substr(i, encoded.w), 36);
        if (encoded.s) out.push(code ? (code - 1 + encoded.o) / encoded.s : null);  // scaled
        else out.push(dictionary[code]);
      }
      return out;
    }
    for (i = 0; i < encoded.r.length; i += 2) {  // runs: code, count, code, count, ...
      for (j = 0; j < encoded.r[i + 1]; j++) out.push(dictionary[encoded.r[i]]);
    }
    return out;
  }
  function column(hash, encoded) {  // called by each data file
    columns[hash] = decode(encoded);
    if (pending[hash]) pending[hash][0]();
  }
  // The page names its data files in deferred <script data-egov-column> tags, which run
  // right after this file; a column not named there is loaded here.
  function need(hash) {
    if (columns[hash]) return Promise.resolve();
    if (!pending[hash]) {
      var done = new Promise(function (resolve, reject) { pending[hash] = [resolve, reject]; });
      var tag = document.querySelector('script[data-egov-column="' + hash + '"]');
      var loaded = tag ? new Promise(function (resolve, reject) {
        tag.addEventListener("load", resolve);
        tag.addEventListener("error", function () { reject(new Error("could not load " + tag.src)); });
      }) : loadScript(base + "egov-data/" + hash + ".js");
      loaded.then(function () {
        if (!columns[hash]) pending[hash][1](new Error("data file " + hash + " did not define its column"));
      }, function (error) { pending[hash][1](error); });
      pending[hash].promise = done;
    }
    return pending[hash].promise;
  }
  function hashes(spec) {
    var out = [];
    (Array.isArray(spec.data) ? spec.data : []).forEach(function (entry) {
      if (entry.egov) entry.egov.c.forEach(function (c) { if (typeof c === "string") out.push(c); });
    });
    return out;
  }
  function resolveData(spec) {
    return Promise.all(hashes(spec).map(need)).then(function () {
      (Array.isArray(spec.data) ? spec.data : []).forEach(function (entry) {
        if (!entry.egov) return;
        var names = entry.egov.k, n = entry.egov.n, rows = new Array(n), r, j;
        var values = entry.egov.c.map(function (c) { return typeof c === "string" ? columns[c] : decode(c); });
        for (r = 0; r < n; r++) {
          var row = {};
          for (j = 0; j < names.length; j++) row[names[j]] = values[j][r];
          rows[r] = row;
        }
        entry.values = rows;
        delete entry.egov;
      });
    });
  }

  // The chart's own data (what it draws from) as rows, for the table and the CSV file.
  function rows(spec) {
    var out = [];
    var sets = spec.datasets || {};  // Vega-Lite: named datasets
    Object.keys(sets).forEach(function (name) { out = out.concat(sets[name]); });
    if (Array.isArray(spec.data)) {  // Vega: inline values of the data entries
      spec.data.forEach(function (entry) { if (Array.isArray(entry.values)) out = out.concat(entry.values); });
    } else if (!out.length && spec.data && spec.data.values) {
      out = spec.data.values;
    }
    return out;
  }
  function columnNames(data) {
    var seen = [];
    data.forEach(function (row) { Object.keys(row).forEach(function (k) { if (seen.indexOf(k) < 0) seen.push(k); }); });
    return seen;
  }
  function text(value) { return value === null || value === undefined ? "" : String(value); }
  function csv(data) {
    var cols = columnNames(data);
    var quote = function (v) { v = text(v); return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
    return [cols.map(quote).join(",")].concat(data.map(function (row) {
      return cols.map(function (c) { return quote(row[c]); }).join(",");
    })).join("\n") + "\n";
  }
  function fillTable(figure, data) {
    var holder = figure.querySelector(".egov-chart-table");
    if (holder.firstChild) return;
    var cols = columnNames(data);
    var table = document.createElement("table");
    table.createCaption().textContent = data.length + " rows";
    var head = table.createTHead().insertRow();
    cols.forEach(function (c) { var th = document.createElement("th"); th.scope = "col"; th.textContent = c; head.appendChild(th); });
    var body = table.createTBody();
    data.forEach(function (row) {
      var tr = body.insertRow();
      cols.forEach(function (c) { tr.insertCell().textContent = text(row[c]); });
    });
    holder.appendChild(table);
  }
  function save(figure, href, extension) {
    var link = document.createElement("a");
    link.href = href;
    link.download = figure.id.replace(/-figure$/, "") + "." + extension;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  // --- fitting the chart to its column ---------------------------------------------------
  var measure = document.createElement("canvas").getContext("2d");
  function wrap(lines, font, width) {
    measure.font = font;
    var out = [];
    lines.forEach(function (line) {
      var current = "";
      String(line).split(" ").forEach(function (word) {
        var next = current ? current + " " + word : word;
        if (current && measure.measureText(next).width > width) {
          out.push(current);
          current = word;
        } else {
          current = next;
        }
      });
      out.push(current);
    });
    return out;
  }
  function svgWidth(view) {
    var svg = view.container() && view.container().querySelector("svg");
    return svg ? parseFloat(svg.getAttribute("width")) || 0 : 0;
  }
  function setWidth(view, name, value) {
    if (name === "width") view.width(value);
    else view.signal(name, value).resize();  // resize: lay the chart out again at the next run
  }
  function getWidth(view, name) {
    return name === "width" ? view.width() : view.signal(name);
  }
  // A new view of the chart (its wide or narrow version), keeping the values chosen in its
  // drop-downs; fit() runs it.
  function build(chart, variant) {
    var vega = window.vega, spec = chart.specs[variant], old = chart.view;
    var view = new vega.View(vega.parse(spec), { renderer: "svg", logger: vega.logger(vega.Warn) });
    if (window.vegaTooltip) view.tooltip(new window.vegaTooltip.Handler({}).call);
    view.hover();
    if (old) {
      (spec.signals || []).forEach(function (signal) {
        if (signal.bind) { try { view.signal(signal.name, old.signal(signal.name)); } catch (e) { /* not in the old view */ } }
      });
      old.finalize();
      chart.container.textContent = "";
    }
    chart.view = view;
    chart.variant = variant;
    chart.meta = spec.usermeta && spec.usermeta.egov;
    view.initialize(chart.container);
  }
  // Fit the chart to the column's width: choose its version, set the signals that depend on
  // the width, then either let Vega fit the plot ("fit-x") or resize the panels until the
  // drawing is as wide as the column.
  function fit(chart, width) {
    chart.width = width;
    var variant = chart.specs.narrow && width && width < chart.specs.narrow.usermeta.egov.narrow ? "narrow" : "wide";
    if (variant !== chart.variant) build(chart, variant);
    return Promise.resolve().then(function () {
      var view = chart.view, meta = chart.meta;
      if (!meta || !width) return view.runAsync();
      var narrow = width < meta.narrow;
      view.signal("egov_narrow", narrow);
      if (meta.title) view.signal("egov_title", wrap(meta.title.lines, meta.title.font, width - 8));
      if (meta.subtitle) view.signal("egov_subtitle", wrap(meta.subtitle.lines, meta.subtitle.font, width - 8));
      if (meta.fit === "x") {
        view.width(width);
        return view.runAsync();
      }
      if (meta.fit !== "layout") return view.runAsync();
      // The drawing's width grows linearly with the panels' width: "slope" pixels for each
      // pixel of panel (the number of panels side by side), learnt from each step.
      var tries = 0, slope = meta.columns || 1, last = null;
      function step() {
        return view.runAsync().then(function () {
          var drawn = svgWidth(view), panel = getWidth(view, meta.widths[0].name);
          if (last && panel !== last.panel && drawn !== last.drawn) {
            slope = Math.max(0.5, (drawn - last.drawn) / (panel - last.panel));
          }
          last = { panel: panel, drawn: drawn };
          var difference = width - drawn;
          if ((difference >= 0 && difference < slope) || tries++ >= 5) return null;
          var change = Math.floor(difference / slope);  // rounded down: never wider than the column
          if (!change) return null;
          meta.widths.forEach(function (w) {
            setWidth(view, w.name, Math.max(60, getWidth(view, w.name) + change));
          });
          return step();
        });
      }
      return step();
    });
  }
  function columnWidth(figure) {
    return Math.floor(figure.querySelector(".egov-chart-view").getBoundingClientRect().width);
  }
  // The widths of the charts drawn at once are read together, before any is drawn: reading
  // one after a chart was drawn would make the browser lay the whole page out again.
  function startWidth(figure) {
    var width = figure.egovStartWidth;
    delete figure.egovStartWidth;
    return width || columnWidth(figure);
  }
  var resizing = typeof ResizeObserver === "function" ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var figure = entry.target.closest("figure.egov-chart"), chart = figure && figure.egovChart;
      if (!chart) return;
      var width = Math.floor(entry.contentRect.width);
      if (!width || Math.abs(width - chart.width) < 1) return;
      chart.queue = chart.queue.then(function () { return fit(chart, columnWidth(figure)); }).then(function () {
        labelDrawing(figure);
        keyboardKeys(figure, chart.view);
      });
    });
  }) : null;

  // --- accessibility: the drawing is named by the description; legends work by keyboard ---
  function labelDrawing(figure) {
    var svg = figure.querySelector(".egov-chart-view svg");
    if (svg) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-labelledby", figure.id.replace(/-figure$/, "") + "-description");
      svg.removeAttribute("aria-label");
      svg.removeAttribute("aria-roledescription");
    }
  }
  // A legend that picks out a series on click gets a row of buttons doing the same, for the
  // keyboard: hidden until one of them has the focus, so the page looks the same.
  function keyboardKeys(figure, view) {
    var svg = figure.querySelector(".egov-chart-view svg");
    var entries = svg ? Array.prototype.filter.call(svg.querySelectorAll(".role-legend-symbol path"), function (path) {
      var item = path.__data__;
      return item && item.mark && item.mark.interactive;
    }) : [];
    var holder = figure.querySelector(".egov-chart-keys");
    if (!entries.length) {
      if (holder) holder.remove();
      return;
    }
    var labels = entries.map(function (path) {
      var item = path.__data__, datum = item && item.datum;
      return text(datum && (datum.label !== undefined ? datum.label : datum.value));
    });
    if (holder && holder.getAttribute("data-labels") === JSON.stringify(labels)) return;
    var focused = holder && holder.contains(document.activeElement) ? document.activeElement.textContent : null;
    if (holder) holder.remove();
    holder = document.createElement("div");
    holder.className = "egov-chart-keys";
    holder.setAttribute("role", "group");
    holder.setAttribute("aria-label", "Pick out a series, as a click on the legend does (Shift for several)");
    holder.setAttribute("data-labels", JSON.stringify(labels));
    function click(target, shift) {
      var box = target.getBoundingClientRect();
      target.dispatchEvent(new MouseEvent("click", {
        bubbles: true, cancelable: true, view: window, shiftKey: !!shift,
        clientX: box.left + box.width / 2, clientY: box.top + box.height / 2
      }));
    }
    labels.forEach(function (label, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.addEventListener("click", function (event) {
        // The legend may have been redrawn since: find the entry again by its position.
        var paths = Array.prototype.filter.call(svg.querySelectorAll(".role-legend-symbol path"), function (p) {
          return p.__data__ && p.__data__.mark && p.__data__.mark.interactive;
        });
        if (paths[i]) click(paths[i], event.shiftKey);
      });
      holder.appendChild(button);
    });
    var all = document.createElement("button");
    all.type = "button";
    all.textContent = "Show all";
    all.addEventListener("click", function () { click(svg, false); });
    holder.appendChild(all);
    figure.querySelector(".egov-chart-view").insertAdjacentElement("afterend", holder);
    if (focused) {
      Array.prototype.forEach.call(holder.querySelectorAll("button"), function (b) { if (b.textContent === focused) b.focus(); });
    }
  }

  // A narrow version written as its differences from the wide one (offline_vega.spec_patch:
  // {"=": replaced, "-": removed keys, "~": patched} for an object; {"*": items} for a list,
  // each item a position in the old list, [position, patch] or {"v": value}).
  function applyPatch(old, patch) {
    if (patch["*"]) {
      return patch["*"].map(function (item) {
        if (typeof item === "number") return old[item];
        return Array.isArray(item) ? applyPatch(old[item[0]], item[1]) : item.v;
      });
    }
    var copy = Object.assign({}, old);
    (patch["-"] || []).forEach(function (key) { delete copy[key]; });
    Object.assign(copy, patch["="] || {});
    Object.keys(patch["~"] || {}).forEach(function (key) { copy[key] = applyPatch(copy[key], patch["~"][key]); });
    return copy;
  }

  // --- drawing ---------------------------------------------------------------------------
  function prepare(figure) {
    if (figure.egovPrepared) return figure.egovPrepared;
    var id = figure.id.replace(/-figure$/, "");
    var spec = JSON.parse(document.getElementById(id + "-spec").textContent);
    var narrowScript = document.getElementById(id + "-spec-narrow");
    var narrow = narrowScript ? JSON.parse(narrowScript.textContent) : null;
    if (narrow && narrow.egovPatch) {  // patched onto a fresh copy: the wide one is changed below
      narrow = applyPatch(JSON.parse(document.getElementById(id + "-spec").textContent), narrow.egovPatch);
    }
    // Start downloading the data now; the drawing waits its turn.
    figure.egovPrepared = libraries(figure, spec).then(function () {
      return Promise.all([resolveData(spec), narrow && resolveData(narrow)]);
    }).then(function () {
      var data = rows(spec);
      if (/vega-lite/.test(spec.$schema || "")) spec = window.vegaLite.compile(spec).spec;
      return { specs: { wide: spec, narrow: narrow }, rows: data };
    });
    return figure.egovPrepared;
  }
  function draw(figure) {
    return prepare(figure).then(function (prepared) {
      var container = figure.querySelector(".egov-chart-view");
      var chart = { specs: prepared.specs, container: container, width: 0 };
      chart.queue = fit(chart, startWidth(figure));
      return chart.queue.then(function () {
        figure.egovChart = chart;
        labelDrawing(figure);
        keyboardKeys(figure, chart.view);
        if (resizing) resizing.observe(container);
        figure.dataset.rendered = "true";
        figure.dataset.renderedAt = String(Math.round(performance.now()));  // read by tests/benchmark.py
      });
    }).catch(function (error) {
      figure.dataset.rendered = "error";
      var view = figure.querySelector(".egov-chart-view");
      view.textContent = "";
      var message = document.createElement("p");
      message.setAttribute("data-egov-message", "");
      message.textContent = "The chart could not be drawn: " + error.message;
      view.appendChild(message);
      console.error(error);
    });
  }

  function setUp(figure) {
    figure.querySelector("details.egov-chart-data").addEventListener("toggle", function () {
      prepare(figure).then(function (prepared) { fillTable(figure, prepared.rows); });
    });
    figure.querySelector('[data-egov-download="csv"]').addEventListener("click", function () {
      prepare(figure).then(function (prepared) {
        save(figure, URL.createObjectURL(new Blob([csv(prepared.rows)], { type: "text/csv" })), "csv");
      });
    });
    ["png", "svg"].forEach(function (format) {
      figure.querySelector('[data-egov-download="' + format + '"]').addEventListener("click", function () {
        if (!figure.egovChart) return;
        figure.egovChart.view.toImageURL(format, format === "png" ? 2 : 1).then(function (url) { save(figure, url, format); });
      });
    });
  }

  // Which charts are drawn when (scan). In a notebook: the first screen's, then all the others in
  // page order. On the website the others wait: a chart is drawn when it comes within a
  // screen of the window, and once the page has loaded, the rest are drawn one at a time
  // while the browser is idle, so the reader can scroll and click from the start and every
  // chart is ready for the keyboard, the page's search and print. Charts are drawn one
  // after another, each painted before the next starts; a chart whose column changed
  // meanwhile is refitted by the ResizeObserver.
  var queue = [], running = false;
  var lazy = Boolean(base) && typeof IntersectionObserver === "function";
  // Of the charts coming near, those closest to the window are drawn first.
  function distance(box) {
    var height = window.innerHeight || 800;
    return box.bottom < 0 ? -box.bottom : box.top > height ? box.top - height : 0;
  }
  var approaching = lazy ? new IntersectionObserver(function (entries) {
    entries.filter(function (entry) { return entry.isIntersecting; }).sort(function (a, b) {
      return distance(a.boundingClientRect) - distance(b.boundingClientRect);
    }).forEach(function (entry) { enqueue(entry.target); });
  }, { rootMargin: "100% 0px" }) : null;
  function inFirstScreen(figure) {
    var box = figure.getBoundingClientRect();
    return box.bottom > 0 && box.top < (window.innerHeight || 800);
  }
  function enqueue(figure) {
    if (figure.egovQueued) return;
    figure.egovQueued = true;
    if (approaching) approaching.unobserve(figure);
    prepare(figure).catch(function () {});  // start parsing its data while others draw
    queue.push(figure);
    pump();
  }
  function pump() {
    if (running) return;
    var figure = queue.shift();
    if (!figure) return;
    running = true;
    draw(figure).then(function () {
      running = false;
      setTimeout(pump, 0);
    });
  }
  var whenIdle = window.requestIdleCallback || function (callback) { return setTimeout(callback, 50); };
  function drawRestWhenIdle() {
    whenIdle(function () {
      var next = Array.prototype.find.call(document.querySelectorAll("figure.egov-chart[data-egov-queued]"), function (figure) {
        return !figure.egovQueued;
      });
      if (!next) return;
      if (!running && !queue.length) enqueue(next);
      drawRestWhenIdle();
    }, { timeout: 1000 });
  }
  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.egov-chart[data-egov-queued]"), enqueue);
  }
  function scan() {
    var found = Array.prototype.filter.call(document.querySelectorAll("figure.egov-chart"), function (figure) {
      if (figure.hasAttribute("data-egov-queued")) return false;
      figure.setAttribute("data-egov-queued", "");
      return true;
    });
    found.forEach(setUp);
    var first = found.filter(inFirstScreen);
    var now = lazy ? first : first.concat(found.filter(function (f) { return first.indexOf(f) < 0; }));
    now.forEach(function (figure) { figure.egovStartWidth = columnWidth(figure); });
    now.forEach(enqueue);
    if (!lazy) return;
    found.forEach(function (figure) { if (!figure.egovQueued) approaching.observe(figure); });
    if (document.readyState === "complete") drawRestWhenIdle();
    else window.addEventListener("load", drawRestWhenIdle, { once: true });
  }
  window.addEventListener("beforeprint", drawAll);

  window.egovCharts = { scan: scan, column: column, version: 2 };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
