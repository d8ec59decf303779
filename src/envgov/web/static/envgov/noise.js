// 噪声地图: the towns' boundaries and the noise-sensitive building zones as one ECharts map (no tile server),
// the functional-area points as a scatter coloured by their day or night attainment; a day/night switch.
// Data from <script type="application/json" id="noise-data"> (json_script); no inline script (CSP).
(function () {
  if (!window.echarts) return;
  var holder = document.getElementById("noise-data");
  var el = document.getElementById("noise-map");
  if (!holder || !el) return;
  var data = JSON.parse(holder.textContent);
  var features = [];
  var dashed = {};
  (data.geo.features || []).forEach(function (f) {
    var name = "town:" + f.properties.id;
    dashed[name] = f.properties.source === "derived";
    features.push({ type: "Feature", geometry: f.geometry, properties: { name: name, label: f.properties.name } });
  });
  (data.zones || []).forEach(function (z) {
    features.push({ type: "Feature", geometry: z.geometry, properties: { name: "zone:" + z.id, label: z.name } });
  });
  var labels = {};
  features.forEach(function (f) { labels[f.properties.name] = f.properties.label; });
  var regions = features.map(function (f) {
    var n = f.properties.name;
    if (n.indexOf("zone:") === 0) {
      return { name: n, itemStyle: { areaColor: "rgba(251,140,0,0.45)", borderColor: "#ef6c00", borderWidth: 1 },
               label: { show: false } };
    }
    return { name: n, itemStyle: { areaColor: "#eceff1", borderColor: "#78909c", borderWidth: 1,
                                   borderType: dashed[n] ? "dashed" : "solid" } };
  });
  echarts.registerMap("noise-towns", { type: "FeatureCollection", features: features });
  var chart = echarts.init(el, null, { renderer: "svg" });
  var w = data.words;

  function items(period) {
    return data.points.map(function (p) {
      return { name: p.code, value: [p.lon, p.lat], point: p, itemStyle: { color: p[period + "_colour"] } };
    });
  }

  function tip(p, period) {
    var s = p[period];
    var lines = [p.name + "（" + p.code + "）", w.cls + " " + p.cls, w.town + " " + (p.town || "—")];
    if (!s) lines.push(w[period] + "：" + w.no_data);
    else {
      lines.push(w[period] + " " + w.leq + " " + s.leq.toFixed(1) + " dB(A)，" + w.limit + " " + s.limit + " dB(A)");
      lines.push(w.point_times + " " + s.attained + "/" + s.point_times + "（" + (s.all_attained ? w.attained : w.exceeded) + "）");
    }
    return lines.map(function (x) { return echarts.format.encodeHTML(x); }).join("<br>");
  }

  var current = "day";
  function draw(period) {
    current = period;
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (x) {
        if (x.seriesType === "scatter") return tip(x.data.point, current);
        var n = x.name || "";
        return echarts.format.encodeHTML((n.indexOf("zone:") === 0 ? w.zone + "：" : "") + (labels[n] || ""));
      } },
      geo: { map: "noise-towns", roam: true, regions: regions, selectedMode: false,
             label: { show: true, fontSize: 10, color: "#455a64", formatter: function (x) {
               return x.name.indexOf("town:") === 0 ? labels[x.name] : ""; } },
             emphasis: { label: { show: true } } },
      series: [{ id: "points", type: "scatter", coordinateSystem: "geo", symbolSize: 12, data: items(period),
                 itemStyle: { borderColor: "#fff", borderWidth: 1 } }],
    });
    el.dataset.period = period;
    document.querySelectorAll("#noise-period button").forEach(function (b) {
      var on = b.dataset.period === period;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.classList.toggle("primary", on);
    });
  }
  document.querySelectorAll("#noise-period button").forEach(function (b) {
    b.addEventListener("click", function () { draw(b.dataset.period); });
  });
  draw("day");
  el.dataset.ready = String(data.points.length);  // for the browser test: the map has drawn its points
  el.dataset.zones = String((data.zones || []).length);
  window.addEventListener("resize", function () { chart.resize(); });
})();
