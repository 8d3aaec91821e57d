/* 各支部三会一课完成率: a bar chart from the data the page put in a json_script tag.
   Plain ES2017 for Chrome 90 engines; no inline script (CSP). */
(function () {
  "use strict";
  var holder = document.getElementById("compliance-chart");
  var source = document.getElementById("compliance-chart-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  // Height grows with the number of bars so every name stays readable.
  holder.style.height = Math.max(240, 28 * data.names.length + 80) + "px";
  var chart = echarts.init(holder);
  chart.setOption({
    title: { text: data.title, left: "center", textStyle: { fontSize: 15 } },
    grid: { left: 8, right: 48, top: 40, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
      valueFormatter: function (v) { return v.toFixed(1) + "%"; } },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", inverse: true, data: data.names },
    series: [{
      type: "bar", data: data.rates, barMaxWidth: 18,
      itemStyle: { color: "#c8161d" },
      label: { show: true, position: "right", formatter: function (p) { return p.value.toFixed(1) + "%"; } }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
