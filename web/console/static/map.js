/* The console's maps (Peta and a report's point), drawn with the vendored Leaflet and
   Leaflet.markercluster. Everything comes from the map element's data- attributes; the points
   from the console's own JSON route. No tiles configured: a plain background with a scale, and
   no request leaves the console. A pin names the tracking number, category and status only. */
(function () {
  "use strict";

  function statusWords(box) {
    var words = {};
    (box.dataset.statuses || "").split("|").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) { words[pair.slice(0, at)] = pair.slice(at + 1); }
    });
    return words;
  }

  function baseMap(box) {
    // maxZoom set here: without tiles no layer says it, and the clusters need it.
    var map = L.map(box, { zoomControl: true, attributionControl: true, minZoom: 3, maxZoom: 19 });
    if (box.dataset.tiles) {
      var layer = L.tileLayer(box.dataset.tiles, { maxZoom: 19 });
      // The attribution is the operator's plain words: shown as text, never as markup.
      var words = document.createElement("span");
      words.textContent = box.dataset.attribution || "";
      layer.getAttribution = function () { return words.innerHTML; };
      layer.addTo(map);
    }
    L.control.scale({ imperial: false }).addTo(map);
    return map;
  }

  function frameOf(box) {
    var b = (box.dataset.bounds || "-11.2,94.7,6.3,141.1").split(",").map(Number);
    return L.latLngBounds([b[0], b[1]], [b[2], b[3]]);
  }

  function pin(status) {
    return L.divIcon({
      className: "pin pin-" + status,
      iconSize: [16, 16],
      iconAnchor: [8, 8],
      popupAnchor: [0, -8]
    });
  }

  function line(label, value) {
    var row = document.createElement("div");
    var name = document.createElement("span");
    name.className = "popup-label";
    name.textContent = label + ": ";
    row.appendChild(name);
    row.appendChild(document.createTextNode(value));
    return row;
  }

  function popup(box, words, point, categories) {
    var number = point[2];
    var node = document.createElement("div");
    node.className = "map-popup";
    var title = document.createElement("strong");
    title.textContent = number;
    node.appendChild(title);
    node.appendChild(line(box.dataset.category, categories[point[3]] || "-"));
    node.appendChild(line(box.dataset.status, words[point[4]] || point[4]));
    var link = document.createElement("a");
    link.href = (box.dataset.reportBase || "/laporan/") + encodeURIComponent(number);
    link.textContent = box.dataset.open;
    node.appendChild(link);
    return node;
  }

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return key in values ? String(values[key]) : "";
    });
  }

  function drawList(box) {
    var map = baseMap(box);
    var words = statusWords(box);
    var count = document.getElementById("map-count");
    map.fitBounds(frameOf(box), { animate: false });
    fetch(box.dataset.points, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        var cluster = L.markerClusterGroup({ disableClusteringAtZoom: 17, showCoverageOnHover: false });
        var bounds = [];
        data.points.forEach(function (point) {
          var marker = L.marker([point[0], point[1]], {
            icon: pin(point[4]),
            title: point[2],
            alt: point[2],
            keyboard: true
          });
          marker.bindPopup(popup(box, words, point, data.categories));
          cluster.addLayer(marker);
          bounds.push([point[0], point[1]]);
        });
        // Framed first, then drawn: the clusters are made once, at the zoom they are seen at.
        if (bounds.length) {
          map.fitBounds(L.latLngBounds(bounds), { padding: [24, 24], maxZoom: 16, animate: false });
        }
        map.addLayer(cluster);
        var values = { shown: data.points.length, total: data.total };
        if (count) {
          count.textContent = say(data.capped ? count.dataset.capped : count.dataset.words, values);
        }
        box.dataset.shown = String(data.points.length);
        box.classList.add("loaded");
      })
      .catch(function (error) {
        if (window.console) { window.console.error("map:", error); }
        if (count) { count.textContent = count.dataset.failed; }
        box.classList.add("failed");
      });
  }

  function drawPoint(box) {
    var map = baseMap(box);
    var parts = box.dataset.point.split(",");
    var at = [Number(parts[0]), Number(parts[1])];
    L.marker(at, { icon: pin(parts[2] || ""), keyboard: false }).addTo(map);
    map.setView(at, 16);
    box.classList.add("loaded");
  }

  function start() {
    var box = document.getElementById("map");
    if (!box || typeof L === "undefined") { return; }
    if (box.dataset.points) { drawList(box); } else if (box.dataset.point) { drawPoint(box); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
