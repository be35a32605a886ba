// The partnerships map: EU places and their US/Chinese partners joined by arcs.
// d3 + topojson-client draw world-atlas outlines served from our own static folder;
// the map can be saved as SVG or PNG for publications. No inline scripts (CSP).
"use strict";

(function () {
  const COLOURS = { eu: "#1f4f8a", US: "#b3261e", CN: "#a15c00", land: "#e4e8ec", border: "#ffffff", sea: "#f7fafc" };
  const WIDTH = 1200;
  const HEIGHT = 620;

  const container = document.getElementById("partnership-map");
  if (!container || !window.d3 || !window.topojson) {
    return;
  }
  const status = document.getElementById("map-status");
  const filters = document.getElementById("map-filters");
  let atlas = null;
  let optionsFilled = false;

  function getJSON(url) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("GET", url);
      request.responseType = "json";
      request.onload = () => (request.status === 200 ? resolve(request.response) : reject(new Error(`HTTP ${request.status}`)));
      request.onerror = () => reject(new Error("network error"));
      request.send();
    });
  }

  function fillOptions(options) {
    if (optionsFilled) return;
    const kind = filters.elements.kind;
    Object.entries(options.kinds).forEach(([value, label]) => kind.add(new Option(label, value)));
    const area = filters.elements.area;
    options.areas.forEach((name) => area.add(new Option(name, name)));
    optionsFilled = true;
  }

  function queryString() {
    const params = new URLSearchParams();
    ["partner_country", "kind", "area"].forEach((name) => {
      const value = filters.elements[name].value;
      if (value) params.set(name, value);
    });
    const text = params.toString();
    return text ? `?${text}` : "";
  }

  function arcPath(projection, from, to) {
    const [x1, y1] = projection([from.lon, from.lat]);
    const [x2, y2] = projection([to.lon, to.lat]);
    const dx = x2 - x1;
    const dy = y2 - y1;
    const distance = Math.sqrt(dx * dx + dy * dy);
    // Bend each arc upwards (northwards) in proportion to its length.
    const mx = (x1 + x2) / 2 + dy * 0.15;
    const my = (y1 + y2) / 2 - distance * 0.25;
    return `M${x1},${y1} Q${mx},${my} ${x2},${y2}`;
  }

  function draw(data) {
    const d3 = window.d3;
    const countries = window.topojson.feature(atlas, atlas.objects.countries);
    const borders = window.topojson.mesh(atlas, atlas.objects.countries, (a, b) => a !== b);
    const projection = d3.geoNaturalEarth1().rotate([-20, 0]).fitExtent([[10, 10], [WIDTH - 10, HEIGHT - 10]], { type: "Sphere" });
    const path = d3.geoPath(projection);
    container.replaceChildren();
    const svg = d3.select(container).append("svg")
      .attr("xmlns", "http://www.w3.org/2000/svg")
      .attr("viewBox", `0 0 ${WIDTH} ${HEIGHT}`)
      .attr("width", WIDTH).attr("height", HEIGHT)
      .attr("role", "img")
      .attr("aria-label", `Map of ${data.arcs.length} partnerships`)
      .attr("font-family", "system-ui, sans-serif");
    svg.append("title").text(`${container.dataset.title}: partnerships`);
    svg.append("path").attr("d", path({ type: "Sphere" })).attr("fill", COLOURS.sea).attr("stroke", "#c9d2dc");
    svg.append("g").selectAll("path").data(countries.features).join("path")
      .attr("d", path).attr("fill", COLOURS.land);
    svg.append("path").attr("d", path(borders)).attr("fill", "none").attr("stroke", COLOURS.border).attr("stroke-width", 0.5);

    const byId = new Map(data.places.map((place) => [place.id, place]));
    const linkBase = container.dataset.partnershipUrl.replace(/0$/, "");
    const arcs = svg.append("g").attr("fill", "none").attr("stroke-opacity", 0.45);
    data.arcs.forEach((arc) => {
      const from = byId.get(arc.eu);
      const to = byId.get(arc.partner);
      const link = arcs.append("a").attr("href", linkBase + arc.id);
      link.append("path")
        .attr("d", arcPath(projection, from, to))
        .attr("stroke", COLOURS[arc.partner_country] || "#555")
        .attr("stroke-width", 1.2)
        .append("title").text(`${from.name} – ${to.name} (${(data.options.kinds[arc.kind] || arc.kind).toLowerCase()}${arc.signed_on ? ", " + arc.signed_on.slice(0, 4) : ""})`);
    });
    const points = svg.append("g");
    data.places.forEach((place) => {
      const [x, y] = projection([place.lon, place.lat]);
      points.append("circle")
        .attr("cx", x).attr("cy", y).attr("r", 3)
        .attr("fill", place.side === "eu" ? COLOURS.eu : COLOURS[place.country] || "#555")
        .attr("stroke", "#fff").attr("stroke-width", 0.6)
        .append("title").text(`${place.name} (${place.country})`);
    });
    svg.append("text").attr("x", 16).attr("y", HEIGHT - 16).attr("font-size", 12).attr("fill", "#333")
      .text(`${container.dataset.title} · ${data.arcs.length} partnerships · outlines: Natural Earth`);
    const unplaced = data.unplaced ? ` ${data.unplaced} without coordinates are not drawn.` : "";
    status.textContent = `${data.arcs.length} partnerships between ${data.places.length} places.${unplaced}`;
  }

  function refresh() {
    status.textContent = "Loading the map…";
    getJSON(container.dataset.url + queryString())
      .then((data) => {
        fillOptions(data.options);
        draw(data);
      })
      .catch((error) => {
        status.textContent = `The map could not be loaded (${error.message}). Reload the page to try again.`;
      });
  }

  function svgText() {
    const svg = container.querySelector("svg");
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
  }

  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function exportSvg() {
    download(new Blob([svgText()], { type: "image/svg+xml" }), "partnerships-map.svg");
  }

  function exportPng() {
    const scale = 2;
    const image = new Image();
    const url = URL.createObjectURL(new Blob([svgText()], { type: "image/svg+xml" }));
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = WIDTH * scale;
      canvas.height = HEIGHT * scale;
      const context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => download(blob, "partnerships-map.png"), "image/png");
    };
    image.src = url;
  }

  filters.addEventListener("change", refresh);
  document.getElementById("map-export-svg").addEventListener("click", exportSvg);
  document.getElementById("map-export-png").addEventListener("click", exportPng);

  getJSON(container.dataset.atlas)
    .then((topology) => {
      atlas = topology;
      refresh();
    })
    .catch((error) => {
      status.textContent = `The world outlines could not be loaded (${error.message}).`;
    });
})();
