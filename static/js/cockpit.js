/* 数据驾驶舱: draws the charts from the figures embedded in the page (#cockpit-data) with ECharts.
 *
 * The map is a plain scatter of the communities on longitude × Web-Mercator latitude with equal
 * scales on both axes, so the city keeps its shape without any map service. When a tile URL is
 * configured (data-tile-url, with {z}/{x}/{y}), the tiles of that Web-Mercator grid are laid
 * behind the points: on this projection they line up exactly.
 */
(function () {
  "use strict";

  var source = document.getElementById("cockpit-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var charts = [];
  var redraws = [];
  var RED = "#c8161d";
  var PALETTE = ["#c8161d", "#f08a24", "#2f7ed8", "#2bb673", "#8e5cc4", "#e6b422", "#17a2b8", "#7a8596"];
  var TEXT = { fontFamily: 'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif' };

  function fmt(n) {
    if (n === null || n === undefined) return "—";
    return Number(n).toLocaleString("zh-CN", { maximumFractionDigits: 1 });
  }

  function draw(name, option) {
    var node = document.querySelector('[data-chart="' + name + '"]');
    if (!node) return null;
    var chart = echarts.init(node, null, { renderer: "canvas" });
    option.textStyle = TEXT;
    option.color = option.color || PALETTE;
    option.animation = false; // the first paint is the final picture
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  // --- 近 26 周趋势 -------------------------------------------------------------------------
  var weeks = data.weeks || [];
  // The last week is counted only up to the data day: label it so and draw its bar lighter,
  // so that a half week does not read as a fall.
  var lastMonday = weeks.length ? weeks[weeks.length - 1].monday : null;
  var partial = lastMonday && (Date.parse(data.day) - Date.parse(lastMonday)) / 86400000 < 6;
  function weekLabel(w, i) {
    if (partial && i === weeks.length - 1) return "至" + data.day.slice(5).replace("-", "/");
    return w.monday.slice(5).replace("-", "/");
  }
  function lastLighter(values) {
    return values.map(function (v, i) {
      return partial && i === values.length - 1 ? { value: v, itemStyle: { opacity: 0.45 } } : v;
    });
  }
  // On a phone the legend takes two lines and the axis names would sit under it.
  var narrow = window.innerWidth < 600;
  draw("trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, itemWidth: narrow ? 14 : 25, textStyle: { fontSize: narrow ? 11 : 12 } },
    grid: { left: narrow ? 44 : 56, right: narrow ? 36 : 56, top: narrow ? 56 : 36, bottom: 28 },
    xAxis: {
      type: "category",
      data: weeks.map(weekLabel),
      axisLabel: { hideOverlap: true },
    },
    yAxis: [
      { type: "value", name: narrow ? "" : "人次 / 小时", axisLabel: { formatter: fmt } },
      { type: "value", name: narrow ? "" : "场 / 件", splitLine: { show: false }, axisLabel: { formatter: fmt } },
    ],
    series: [
      { name: "参与人次", type: "bar", data: lastLighter(weeks.map(function (w) { return w.participations; })) },
      { name: "服务时长（小时）", type: "line", smooth: true, data: weeks.map(function (w) { return w.hours; }) },
      { name: "开展活动", type: "line", yAxisIndex: 1, data: weeks.map(function (w) { return w.activities; }) },
      { name: "解决问题", type: "line", yAxisIndex: 1, data: weeks.map(function (w) { return w.requests_solved; }) },
    ],
  });

  // --- 各区/街道/社区 ------------------------------------------------------------------------
  var areas = (data.areas && data.areas.rows ? data.areas.rows : []).slice();
  areas.sort(function (a, b) { return a.hours - b.hours; }); // largest at the top of a horizontal bar chart
  var areaChart = draw("areas", {
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: function (items) {
        var row = areas[items[0].dataIndex];
        return (
          "<b>" + row.name + "</b><br>服务时长：" + fmt(row.hours) + " 小时<br>开展活动：" + fmt(row.activities) +
          " 场<br>参与人次：" + fmt(row.participations) + "<br>解决问题：" + fmt(row.problems_solved) +
          " 件<br>报到党员：" + fmt(row.members_registered) + " 人"
        );
      },
    },
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", axisLabel: { formatter: fmt } },
    yAxis: {
      type: "category",
      data: areas.map(function (r) { return r.name; }),
      axisLabel: { width: 96, overflow: "truncate" },
    },
    series: [
      {
        name: "服务时长（小时）",
        type: "bar",
        data: areas.map(function (r) { return r.hours; }),
        itemStyle: { color: RED },
        label: { show: areas.length <= 16, position: "right", formatter: function (p) { return fmt(p.value); } },
      },
    ],
  });
  if (areaChart) {
    areaChart.on("click", function (p) {
      var row = areas[p.dataIndex];
      if (row && row.scope) window.location.search = "?scope=" + encodeURIComponent(row.scope);
    });
  }

  // --- 八大职责 ------------------------------------------------------------------------------
  var duties = data.duties || [];
  draw("duties", {
    tooltip: {
      trigger: "item",
      formatter: function (p) {
        var d = duties[p.dataIndex];
        return (
          "<b>" + d.label + "</b>（" + p.percent + "%）<br>服务时长：" + fmt(d.hours) + " 小时<br>开展活动：" +
          fmt(d.activities) + " 场<br>参与人次：" + fmt(d.participations) + "<br>办结点单：" + fmt(d.requests_solved) + " 件"
        );
      },
    },
    legend: { type: "scroll", orient: "vertical", right: 0, top: "middle" },
    series: [
      {
        name: "服务时长",
        type: "pie",
        radius: ["38%", "70%"],
        center: ["38%", "50%"],
        label: { formatter: "{d}%" },
        data: duties.map(function (d) { return { name: d.label, value: d.hours }; }),
      },
    ],
  });

  // --- 点单响应时长 --------------------------------------------------------------------------
  draw("response", {
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "无" : fmt(v) + " 小时"; } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: duties.map(function (d) { return d.label; }), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", name: "小时" },
    series: [
      { name: "中位数", type: "bar", data: duties.map(function (d) { return d.median_hours; }) },
      { name: "90% 在此时长内", type: "bar", data: duties.map(function (d) { return d.p90_hours; }) },
    ],
  });

  // --- 履职达标 ------------------------------------------------------------------------------
  var quota = data.quota || {};
  function gauge(center, name, value) {
    return {
      type: "gauge",
      center: center,
      radius: "72%",
      min: 0,
      max: 100,
      startAngle: 210,
      endAngle: -30,
      progress: { show: true, width: 14, itemStyle: { color: RED } },
      axisLine: { lineStyle: { width: 14 } },
      axisTick: { show: false },
      splitLine: { show: false },
      axisLabel: { show: false },
      pointer: { show: false },
      anchor: { show: false },
      title: { offsetCenter: [0, "62%"], fontSize: 13 },
      detail: {
        offsetCenter: [0, "0%"],
        fontSize: 24,
        fontWeight: 600,
        color: RED,
        formatter: function (v) { return value === null || value === undefined ? "—" : v + "%"; },
      },
      data: [{ value: value === null || value === undefined ? 0 : value, name: name }],
    };
  }
  draw("quota", {
    series: [
      gauge(["25%", "55%"], "八小时外服务满 " + (quota.hours || 20) + " 小时", quota.met_hours_share),
      gauge(["75%", "55%"], "本季度到社区报到", quota.visited_share),
    ],
  });

  // --- 社区活跃度地图 ------------------------------------------------------------------------
  var RAD = Math.PI / 180;
  function mercY(lat) { return Math.log(Math.tan(Math.PI / 4 + (lat * RAD) / 2)) / RAD; }
  function latOf(y) { return Math.atan(Math.sinh(y * RAD)) / RAD; }

  var mapNode = document.querySelector('[data-chart="map"]');
  var points = data.map || [];
  if (mapNode && points.length) {
    var tileUrl = mapNode.getAttribute("data-tile-url") || "";
    var xs = points.map(function (p) { return p.lng; });
    var ys = points.map(function (p) { return mercY(p.lat); });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var span = Math.max(x1 - x0, y1 - y0, 0.02);
    var pad = span * 0.08;
    var cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    var half = { x: Math.max(x1 - x0, 0.02) / 2 + pad, y: Math.max(y1 - y0, 0.02) / 2 + pad };
    var maxHours = Math.max.apply(null, points.map(function (p) { return p.hours; })) || 1;
    var top = points.slice().sort(function (a, b) { return b.hours - a.hours; }).slice(0, 5);
    function row(p) { return [p.lng, mercY(p.lat), p.hours, p]; }

    var mapChart = echarts.init(mapNode, null, { renderer: "canvas" });
    charts.push(mapChart);

    // Equal scales: degrees of longitude and of Mercator latitude take the same pixels, the
    // plot centred in its box, the box's spare side widened to fill it.
    function layout() {
      var w = mapNode.clientWidth, h = mapNode.clientHeight;
      var m = { l: 12, r: 12, t: 12, b: 64 };
      var aw = Math.max(w - m.l - m.r, 10), ah = Math.max(h - m.t - m.b, 10);
      var scale = Math.min(aw / (2 * half.x), ah / (2 * half.y));
      var hx = aw / scale / 2, hy = ah / scale / 2;
      return { left: m.l, top: m.t, width: aw, height: ah, scale: scale, xmin: cx - hx, xmax: cx + hx, ymin: cy - hy, ymax: cy + hy };
    }

    function tiles(g) {
      if (!tileUrl) return [];
      // Pick the zoom whose 256-pixel tiles are closest to the plot's scale, at most 80 tiles.
      var z = Math.max(1, Math.min(18, Math.round(Math.log(g.scale * 360 / 256) / Math.LN2)));
      var n, tx0, tx1, ty0, ty1;
      for (; z > 0; z--) {
        n = Math.pow(2, z);
        tx0 = Math.floor(((g.xmin + 180) / 360) * n); tx1 = Math.floor(((g.xmax + 180) / 360) * n);
        ty0 = Math.floor(((180 - g.ymax) / 360) * n); ty1 = Math.floor(((180 - g.ymin) / 360) * n);
        if ((tx1 - tx0 + 1) * (ty1 - ty0 + 1) <= 80) break;
      }
      var size = (360 / n) * g.scale;
      var out = [];
      for (var tx = tx0; tx <= tx1; tx++) {
        for (var ty = ty0; ty <= ty1; ty++) {
          var url = tileUrl.replace("{z}", z).replace("{x}", tx).replace("{y}", ty).replace("{s}", "0");
          out.push({
            type: "image",
            silent: true,
            z: -10,
            left: g.left + ((tx / n) * 360 - 180 - g.xmin) * g.scale,
            top: g.top + (g.ymax - (180 - (ty / n) * 360)) * g.scale,
            style: { image: url, width: size, height: size },
          });
        }
      }
      return out;
    }

    function option() {
      var g = layout();
      return {
        textStyle: TEXT,
        animation: false,
        grid: { left: g.left, top: g.top, width: g.width, height: g.height },
        graphic: { elements: tiles(g) },
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var c = p.data[3];
            return (
              "<b>" + c.name + "</b>（" + c.street + "）<br>服务时长：" + fmt(c.hours) + " 小时<br>开展活动：" +
              fmt(c.activities) + " 场<br>参与人次：" + fmt(c.participations) + "<br>解决问题：" + fmt(c.problems_solved) +
              " 件<br>报到党员：" + fmt(c.members) + " 人"
            );
          },
        },
        xAxis: {
          type: "value", min: g.xmin, max: g.xmax, splitNumber: 4, splitLine: { show: !tileUrl, lineStyle: { color: "#eee" } },
          axisLabel: { formatter: function (v) { return v.toFixed(2) + "°E"; }, color: "#999", fontSize: 10 },
        },
        yAxis: {
          type: "value", min: g.ymin, max: g.ymax, splitNumber: 4, splitLine: { show: !tileUrl, lineStyle: { color: "#eee" } },
          axisLabel: { inside: true, formatter: function (v) { return latOf(v).toFixed(2) + "°N"; }, color: "#999", fontSize: 10 },
        },
        visualMap: {
          type: "continuous", min: 0, max: maxHours, dimension: 2, seriesIndex: 0, orient: "horizontal",
          left: "center", bottom: 0, itemHeight: 120, text: ["服务时长多", "少"], calculable: false,
          inRange: { color: ["#fde5c8", "#f6a04d", "#e0452b", "#a50f15"] },
        },
        series: [
          {
            name: "社区", type: "scatter", data: points.map(row),
            symbolSize: function (v) { return 6 + 14 * Math.sqrt(v[2] / maxHours); },
            itemStyle: { borderColor: "#fff", borderWidth: 0.6, opacity: 0.92 },
          },
          {
            name: "服务时长前五", type: "effectScatter", data: top.map(row),
            symbolSize: function (v) { return 6 + 14 * Math.sqrt(v[2] / maxHours); },
            rippleEffect: { scale: 2.4, brushType: "stroke" }, itemStyle: { color: RED }, z: 3,
          },
        ],
      };
    }
    mapChart.setOption(option());
    redraws.push(function () { mapChart.setOption(option(), { replaceMerge: ["graphic"] }); });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) { c.resize(); });
      redraws.forEach(function (f) { f(); });
    }, 120);
  });
})();
