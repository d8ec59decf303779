// District daily AQI as a calendar heat map, coloured by the HJ 633 level of each day's edition.
(function () {
  const el = document.getElementById("aqi-calendar");
  const data = JSON.parse(document.getElementById("air-data").textContent);
  if (!el || !window.echarts || !data.days.length) return;
  const levels = data.levels["2012"];
  const year = data.days[0][0].slice(0, 4);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { formatter: p => `${p.value[0]}<br>AQI ${p.value[1] ?? "—"} ${p.value[3] ? "首要污染物 " + p.value[3] : ""}` },
    visualMap: { type: "piecewise", orient: "horizontal", left: "center", bottom: 0, dimension: 2,
      pieces: levels.map(l => ({ value: l.n, label: l.name, color: l.color })) },
    calendar: { range: year, cellSize: ["auto", 16], top: 30, left: 40, right: 10, yearLabel: { show: true },
      dayLabel: { nameMap: "ZH" }, monthLabel: { nameMap: "ZH" } },
    series: [{ type: "heatmap", coordinateSystem: "calendar", data: data.days }],
  });
  window.addEventListener("resize", () => chart.resize());
})();
