// 驾驶舱 and the public page: the town map (ECharts map series on the towns' GeoJSON, no tile server)
// coloured by the chosen indicator, and the district's monthly PM2.5 this year against last year.
// Data comes from <script type="application/json"> blocks (json_script); no inline script (CSP).
(function () {
  if (!window.echarts) return;
  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var data = json("map-data");
  var mapEl = document.getElementById("town-map");
  if (data && mapEl && data.geo && data.geo.features.length) {
    // features are named by town id, so two towns of the same name never share a region
    var geo = { type: "FeatureCollection", features: data.geo.features.map(function (f) {
      return { type: "Feature", geometry: f.geometry, properties: { name: String(f.properties.id) } };
    }) };
    var source = {};
    data.geo.features.forEach(function (f) { source[f.properties.id] = f.properties.source; });
    echarts.registerMap("towns", geo);
    var unit = data.indicator ? data.indicator.unit : "";
    var items = data.towns.map(function (t) {
      var dashed = source[t.id] === "derived";
      return {
        name: String(t.id), value: t.value, text: t.text, town: t.name, url: t.url, note: t.note,
        valid_days: t.valid_days, days: t.days,
        itemStyle: { areaColor: t.colour, borderColor: "#455a64", borderWidth: 1, borderType: dashed ? "dashed" : "solid" },
        emphasis: { itemStyle: { areaColor: t.colour, borderWidth: 2 }, label: { show: true } },
      };
    });
    var names = {};
    data.towns.forEach(function (t) { names[String(t.id)] = t.name; });
    var chart = echarts.init(mapEl, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        var d = p.data || {};
        var v = d.value === null || d.value === undefined ? data.words.no_data : d.text + " " + unit;
        var lines = [(d.town || names[p.name] || "") + "：" + v];
        if (d.days) lines.push(data.words.valid_days + " " + d.valid_days + "/" + d.days);
        lines.push(source[p.name] === "derived" ? data.words.derived : data.words.imported);
        if (d.url) lines.push(data.words.open);
        return lines.map(function (s) { return echarts.format.encodeHTML(s); }).join("<br>");
      } },
      series: [{
        type: "map", map: "towns", roam: false, selectedMode: false, data: items,
        label: { show: true, fontSize: 10, color: "#263238", formatter: function (p) { return names[p.name] || ""; } },
      }],
    });
    chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
    mapEl.dataset.ready = String(items.length);  // for the browser test: the map has drawn its towns
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var trend = data && data.trend;
  var trendEl = document.getElementById("chart-trend");
  if (trend && trendEl) {
    var months = trend.months;
    var line = echarts.init(trendEl);
    line.setOption({
      tooltip: { trigger: "axis" }, legend: {}, grid: { left: 10, right: 20, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: months }, yAxis: { type: "value", name: "μg/m³" },
      series: trend.years.map(function (y, i) {
        return { name: y, type: "line", data: trend.series[i], connectNulls: false,
                 lineStyle: i === 0 ? { type: "dashed" } : {}, itemStyle: { color: i === 0 ? "#90a4ae" : "#1565c0" } };
      }),
    });
    window.addEventListener("resize", function () { line.resize(); });
  }
})();
