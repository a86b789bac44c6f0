/* gapmap's interactive maps: each .gm-map element's data (a <script type="application/json">)
   holds the boundaries as shared arcs, and per lot each area's class, figures and the lot's
   services. Drawn with Leaflet; nothing is fetched. */
(function () {
  "use strict";
  if (!window.L) { return; }

  function decodeArcs(data) {
    return data.arcs.map(function (flat) {
      var out = [], x = 0, y = 0;
      for (var i = 0; i < flat.length; i += 2) {
        x += flat[i]; y += flat[i + 1];
        out.push([y / data.scale, x / data.scale]);
      }
      return out;
    });
  }

  function ring(arcs, refs) {
    var out = [];
    refs.forEach(function (r) {
      var arc = r < 0 ? arcs[~r].slice().reverse() : arcs[r];
      for (var i = out.length ? 1 : 0; i < arc.length; i++) { out.push(arc[i]); }
    });
    out.pop();
    return out;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  /* The item nearest in the direction of an arrow key, among items' centres. */
  function nearestToward(items, from, dx, dy, map) {
    var p = map.project(items[from].centre, 10), best = -1, bestScore = Infinity;
    for (var i = 0; i < items.length; i++) {
      if (i === from) { continue; }
      var q = map.project(items[i].centre, 10);
      var vx = q.x - p.x, vy = q.y - p.y;
      var along = vx * dx + vy * dy, across = Math.abs(vx * dy - vy * dx);
      if (along <= 0 || across > 2 * along) { continue; }
      var score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = i; }
    }
    return best;
  }

  var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  /* A set of focusable map features with one tab stop: the arrow keys move between them. */
  function Roving(map, items, show, container) {
    var current = 0;
    items.forEach(function (item, i) {
      var path = item.layer.getElement();
      path.setAttribute("tabindex", i === 0 ? "0" : "-1");
      path.setAttribute("role", "img");
      path.setAttribute("aria-label", item.label);
      path.addEventListener("focus", function () {
        items[current].layer.getElement().setAttribute("tabindex", "-1");
        current = i;
        path.setAttribute("tabindex", "0");
        show(i, true);
      });
      path.addEventListener("keydown", function (e) {
        var d = ARROWS[e.key];
        if (d) {
          e.preventDefault(); e.stopPropagation();
          var next = nearestToward(items, i, d[0], d[1], map);
          if (next >= 0) { focusItem(next); }
        } else if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          if (item.layer.getBounds) { map.fitBounds(item.layer.getBounds(), { maxZoom: 14, animate: false }); }
          else { map.setView(item.centre, Math.max(map.getZoom(), 13), { animate: false }); }
          focusItem(i);
        } else if (e.key === "Escape") {
          e.preventDefault();
          container.focus();
        }
      });
    });
    function focusItem(i) {
      if (!map.getBounds().contains(items[i].centre)) { map.panTo(items[i].centre, { animate: false }); }
      items[i].layer.getElement().focus({ preventScroll: true });
    }
  }

  function setup(root) {
    var data = JSON.parse(document.getElementById(root.getAttribute("data-gm-data")).textContent);
    var id = root.id, arcs = decodeArcs(data);
    var info = document.getElementById(id + "-info");
    var legend = document.getElementById(id + "-legend");
    var select = document.getElementById(id + "-lot");
    var canvas = document.getElementById(id + "-canvas");
    root.hidden = false;
    var map = L.map(canvas, {
      attributionControl: false, zoomControl: false, zoomSnap: 0.5, maxZoom: 16,
      renderer: L.svg({ padding: 0 }), fadeAnimation: false, zoomAnimation: false
    });
    /* Services get a pane of their own above the areas, so an area brought to the front
       (pointed at) never hides them. */
    map.createPane("gmServices").style.zIndex = 450;
    var serviceRenderer = L.svg({ padding: 0, pane: "gmServices" });
    var dense = data.areas.length > 60;
    var areas = data.areas.map(function (polygons, i) {
      var latlngs = polygons.map(function (rings) { return rings.map(function (r) { return ring(arcs, r); }); });
      var layer = L.polygon(latlngs, {
        color: dense ? "#7D7D7D" : "#505050", weight: dense ? 0.6 : 1.2,
        fillOpacity: 1, smoothFactor: 0.5, className: "gm-area"
      });
      return { layer: layer, index: i };
    });
    var group = L.featureGroup(areas.map(function (a) { return a.layer; })).addTo(map);
    map.fitBounds(group.getBounds(), { animate: false });
    var buttons = root.querySelectorAll(".gm-controls button");
    buttons[0].addEventListener("click", function () { map.zoomIn(1, { animate: false }); });
    buttons[1].addEventListener("click", function () { map.zoomOut(1, { animate: false }); });
    buttons[2].addEventListener("click", function () { map.fitBounds(group.getBounds(), { animate: false }); });
    var lot = 0, shown = -1, serviceLayer = null, services = [];

    function colour(i) {
      var c = data.lots[lot].classes[i];
      return c < 0 ? data.no_data : data.lots[lot].legend[c][0];
    }

    function showArea(i, focused) {
      if (shown >= 0 && shown < areas.length) { areas[shown].layer.setStyle({ weight: dense ? 0.6 : 1.2, color: dense ? "#7D7D7D" : "#505050" }); }
      shown = i;
      var l = data.lots[lot];
      areas[i].layer.setStyle({ weight: 3, color: "#000000" });
      if (!focused) { areas[i].layer.bringToFront(); }
      info.textContent = "";
      info.appendChild(el("h4", "", data.names[i] + ": " + l.label));
      var figures = l.figures[i];
      if (!figures.length) {
        info.appendChild(el("p", "", "No figures for this " + data.what + "."));
      } else {
        var dl = el("dl");
        l.heads.forEach(function (h, k) {
          dl.appendChild(el("dt", "", h));
          dl.appendChild(el("dd", "", figures[k]));
        });
        info.appendChild(dl);
      }
      var c = l.classes[i];
      info.appendChild(el("p", "gm-class", l.legend_title + ": " + (c < 0 ? "no data or suppressed" : l.legend[c][1].replace(/ \(\d+\)$/, ""))));
      info.setAttribute("data-area", String(i));
    }

    function showService(k) {
      var s = data.services[services[k].service];
      info.textContent = "";
      info.appendChild(el("h4", "", s[2]));
      info.appendChild(el("p", "", s[3]));
      info.removeAttribute("data-area");
    }

    function drawLegend() {
      var l = data.lots[lot];
      legend.textContent = "";
      legend.appendChild(el("p", "gm-legend-title", l.legend_title));
      var ul = el("ul");
      var rows = l.legend.slice();
      if (l.classes.some(function (c) { return c < 0; })) { rows.push([data.no_data, "no data or suppressed"]); }
      rows.forEach(function (row) {
        var li = el("li");
        var sw = el("span", "gm-swatch");
        sw.style.background = row[0];
        li.appendChild(sw);
        li.appendChild(document.createTextNode(row[1]));
        ul.appendChild(li);
      });
      var li = el("li");
      li.appendChild(el("span", "gm-dot"));
      li.appendChild(document.createTextNode("Active services for this lot"));
      ul.appendChild(li);
      legend.appendChild(ul);
    }

    function drawServices() {
      if (serviceLayer) { map.removeLayer(serviceLayer); }
      services = data.lots[lot].services.map(function (k) {
        var s = data.services[k];
        var centre = L.latLng(s[1] / data.scale, s[0] / data.scale);
        var size = dotSize();
        var marker = L.circleMarker(centre, {
          radius: size[0], color: "#FFFFFF", weight: size[1], fillColor: "#141414", fillOpacity: 1,
          className: "gm-service", pane: "gmServices", renderer: serviceRenderer
        });
        marker.bindTooltip(s[2], { direction: "top", offset: [0, -6] });
        return { layer: marker, centre: centre, label: "Service: " + s[2], service: k };
      });
      serviceLayer = L.featureGroup(services.map(function (s) { return s.layer; })).addTo(map);
      services.forEach(function (s, k) {
        s.layer.on("mouseover", function () { showService(k); });
        /* Leaflet leaves aria-describedby pointing at a closed tooltip that is gone. */
        s.layer.on("tooltipclose", function () {
          var e = s.layer.getElement();
          if (e) { e.removeAttribute("aria-describedby"); }
        });
      });
      if (services.length) {
        Roving(map, services, function (k) { showService(k); services[k].layer.openTooltip(); }, canvas);
        services.forEach(function (s) {
          s.layer.getElement().addEventListener("blur", function () { s.layer.closeTooltip(); });
        });
      }
      nameNearby();
    }

    /* Dots small enough at a whole-country view not to hide the areas beneath them. */
    function dotSize() {
      var z = map.getZoom();
      return z < 8 ? [2.5, 1] : z < 10 ? [3.5, 1.5] : [5, 2];
    }

    function resizeDots() {
      var size = dotSize();
      services.forEach(function (s) {
        if (s.layer.getRadius() !== size[0]) { s.layer.setRadius(size[0]); s.layer.setStyle({ weight: size[1] }); }
      });
    }

    /* Names every service in view when few are. */
    function nameNearby() {
      var bounds = map.getBounds();
      var inView = services.filter(function (s) { return bounds.contains(s.centre); });
      services.forEach(function (s) {
        var tip = s.layer.getTooltip();
        if (!tip) { return; }
        var permanent = inView.length <= 12 && bounds.contains(s.centre);
        if (permanent !== tip.options.permanent) {
          s.layer.unbindTooltip();
          s.layer.bindTooltip(data.services[s.service][2], { direction: "top", offset: [0, -6], permanent: permanent });
        }
      });
    }

    function recolour() {
      areas.forEach(function (a, i) { a.layer.setStyle({ fillColor: colour(i) }); });
      root.setAttribute("data-lot", String(lot));
      drawLegend();
      drawServices();
      if (shown >= 0) { showArea(shown, false); }
    }

    areas.forEach(function (a, i) {
      a.centre = a.layer.getBounds().getCenter();
      a.label = data.names[i];
      a.layer.on("mouseover", function () { showArea(i, false); });
      a.layer.on("click", function () { showArea(i, false); });
    });
    Roving(map, areas, showArea, canvas);
    select.addEventListener("change", function () { lot = Number(select.value); recolour(); });
    map.on("zoomend", resizeDots);
    map.on("moveend", nameNearby);
    recolour();
  }

  function start() {
    var roots = document.querySelectorAll(".gm-map");
    for (var i = 0; i < roots.length; i++) { setup(roots[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
