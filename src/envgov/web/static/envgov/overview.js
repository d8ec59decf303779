// Overview charts: completion by area and by lead unit (ECharts, served locally).
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  function bar(el, rows, horizontal) {
    if (!el || !window.echarts) return;
    if (el.dataset.height) el.style.height = el.dataset.height + "px";  // one row per unit
    const chart = echarts.init(el);
    const names = rows.map(r => r.name);
    const cat = { type: "category", data: names, axisLabel: { interval: 0 } };
    const val = { type: "value", minInterval: 1 };
    const series = [
      { name: "已完成", type: "bar", stack: "t", data: rows.map(r => r.completed), itemStyle: { color: "#2e7d32" } },
      { name: "逾期", type: "bar", stack: "t", data: rows.map(r => r.overdue), itemStyle: { color: "#c62828" } },
      { name: "推进中", type: "bar", stack: "t", data: rows.map(r => r.total - r.completed - r.overdue), itemStyle: { color: "#90a4ae" } },
    ];
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: {}, grid: { left: 10, right: 20, bottom: 40, containLabel: true },  // long unit names fit
      xAxis: horizontal ? val : cat, yAxis: horizontal ? Object.assign(cat, { inverse: true }) : val, series,
    });
    window.addEventListener("resize", () => chart.resize());
  }
  bar(document.getElementById("chart-area"), data.areas, false);
  bar(document.getElementById("chart-unit"), data.units, true);
})();
