// 重点区域: towns as the base map (ECharts geo on the towns' GeoJSON, no tile server), key areas and strict zones
// as regions of the same registered map, stations and the ledger's sources as scatter points.
// Data comes from a <script type="application/json"> block (json_script); no inline script (CSP).
(function () {
  if (!window.echarts) return;
  var el = document.getElementById("keyarea-map");
  var holder = document.getElementById("keyarea-map-data");
  if (!el || !holder) return;
  var data = JSON.parse(holder.textContent);
  if (!data.geo || !data.geo.features.length) { el.dataset.ready = "0"; return; }
  echarts.registerMap("keyareas", data.geo);
  var style = {
    town: { areaColor: "#f5f7f8", borderColor: "#90a4ae", borderWidth: 1, borderType: "dashed" },
    area: { areaColor: "rgba(21,101,192,0.18)", borderColor: "#1565c0", borderWidth: 2, borderType: "solid" },
    strict: { areaColor: "rgba(198,40,40,0.30)", borderColor: "#c62828", borderWidth: 2, borderType: "solid" },
  };
  var labels = {};
  var regions = data.geo.features.map(function (f) {
    var p = f.properties;
    labels[p.name] = p.label;
    return { name: p.name, itemStyle: style[p.layer], emphasis: { itemStyle: style[p.layer], label: { show: true } },
             label: { show: p.layer === "town", fontSize: 10, color: "#78909c", formatter: function () { return p.label; } } };
  });
  var chart = echarts.init(el, null, { renderer: "svg" });
  var geo = { map: "keyareas", roam: true, regions: regions, label: { show: false }, itemStyle: style.town,
              emphasis: { label: { show: true, formatter: function (p) { return labels[p.name] || ""; } } } };
  if (data.bounds) geo.boundingCoords = data.bounds;  // open on the key areas, not the whole district
  chart.setOption({
    tooltip: { trigger: "item", formatter: function (p) {
      var s = p.seriesType === "scatter" ? p.name + (p.data.kind ? "（" + p.data.kind + "，" + p.data.zone_label + "）" : "")
        : (labels[p.name] || "");
      return echarts.format.encodeHTML(s);
    } },
    geo: geo,
    series: [
      { name: data.words.source, type: "scatter", coordinateSystem: "geo", symbolSize: 7,
        data: data.sources.map(function (s) {
          return { name: s.name, value: s.value, kind: s.kind, zone_label: s.zone_label,
                   itemStyle: { color: s.zone === "strict" ? "#c62828" : "#1565c0" } };
        }) },
      { name: data.words.station, type: "scatter", coordinateSystem: "geo", symbol: "triangle", symbolSize: 12,
        itemStyle: { color: "#2e7d32" }, data: data.stations },
    ],
  });
  el.dataset.ready = String(data.sources.length);
  window.addEventListener("resize", function () { chart.resize(); });
})();
