/* 数据驾驶舱: draws the charts from the figures embedded in the page (#cockpit-data) with ECharts.
 *
 * The page paints its figures and tables first; only then is ECharts (our build of the charts
 * used, static/vendor/echarts/) fetched, with the district outlines for the map, and the charts
 * drawn — so a phone shows the numbers at once and the charts follow. The map is cockpit-map.js.
 */
(function () {
  "use strict";

  var source = document.getElementById("cockpit-data");
  var grid = document.querySelector("[data-echarts]");
  if (!source || !grid) return;
  var charts = [];
  var redraws = [];
  var RED = "#c8161d";
  var PALETTE = ["#c8161d", "#f08a24", "#2f7ed8", "#2bb673", "#8e5cc4", "#e6b422", "#17a2b8", "#7a8596"];
  var TEXT = { fontFamily: 'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif' };

  function fmt(n) {
    if (n === null || n === undefined) return "—";
    return Number(n).toLocaleString("zh-CN", { maximumFractionDigits: 1 });
  }

  // Charts are drawn as they come into view (a third of them on screen), one per task, so that
  // none keeps a phone busy long and those below the fold cost nothing until scrolled to.
  var queue = [];
  var busy = false;
  function run() {
    var next = queue.shift();
    busy = !!next;
    if (!next) return;
    next();
    setTimeout(run, 0);
  }
  function enqueue(fn) {
    queue.push(fn);
    if (!busy) run();
  }
  var seen = "IntersectionObserver" in window
    ? new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) return;
        seen.unobserve(e.target);
        enqueue(e.target.cockpitDraw);
      });
    }, { threshold: 0.3 })
    : null;
  function whenSeen(node, fn) {
    if (!seen) return enqueue(fn);
    node.cockpitDraw = fn;
    seen.observe(node);
  }

  function start(data, outline) {
    function draw(name, option, then) {
      var node = document.querySelector('[data-chart="' + name + '"]');
      if (!node) return;
      whenSeen(node, function () {
        var chart = echarts.init(node, null, { renderer: "canvas" });
        option.textStyle = TEXT;
        option.color = option.color || PALETTE;
        option.animation = false; // the first paint is the final picture
        chart.setOption(option);
        charts.push(chart);
        if (then) then(chart);
      });
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
    draw("areas", {
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
    }, drillDown);
    function drillDown(chart) {
      chart.on("click", function (p) {
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
      // On a phone the legend goes under the donut, so it never covers the labels beside it.
      legend: narrow
        ? { type: "scroll", orient: "horizontal", left: 0, right: 0, bottom: 0 }
        : { type: "scroll", orient: "vertical", right: 0, top: "middle" },
      series: [
        {
          name: "服务时长",
          type: "pie",
          radius: narrow ? ["28%", "52%"] : ["38%", "70%"],
          center: narrow ? ["50%", "44%"] : ["36%", "50%"],
          avoidLabelOverlap: true,
          labelLayout: { hideOverlap: true },
          percentPrecision: 1,
          label: { formatter: "{d}%", overflow: "none" },
          labelLine: { length: 8, length2: 8 },
          data: duties.map(function (d) { return { name: d.label, value: d.hours }; }),
        },
      ],
    });

    // --- 点单响应时长 --------------------------------------------------------------------------
    draw("response", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "无" : fmt(v) + " 小时"; } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      // Eight duty names do not fit under the bars of a phone: there the bars lie down, names beside.
      xAxis: narrow
        ? { type: "value", name: "小时", nameLocation: "middle", nameGap: 22, axisLabel: { hideOverlap: true } }
        : { type: "category", data: duties.map(function (d) { return d.label; }), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: narrow
        ? { type: "category", inverse: true, data: duties.map(function (d) { return d.label; }), axisLabel: { interval: 0, width: 84, overflow: "truncate" } }
        : { type: "value", name: "小时" },
      series: [
        { name: "中位数", type: "bar", data: duties.map(function (d) { return d.median_hours; }) },
        { name: "90% 在此时长内", type: "bar", data: duties.map(function (d) { return d.p90_hours; }) },
      ],
    });

    // --- 履职达标 ------------------------------------------------------------------------------
    var quota = data.quota || {};
    // Two gauges side by side, each sized to its half of the box, so they neither overlap nor clip.
    var quotaNode = document.querySelector('[data-chart="quota"]');
    var gaugeR = quotaNode ? Math.max(40, Math.min(quotaNode.clientWidth / 4 - 10, quotaNode.clientHeight / 2 - 36)) : 80;
    function gauge(center, name, value) {
      return {
        type: "gauge",
        center: center,
        radius: gaugeR,
        min: 0,
        max: 100,
        startAngle: 210,
        endAngle: -30,
        progress: { show: true, width: gaugeR > 70 ? 14 : 10, itemStyle: { color: RED } },
        axisLine: { lineStyle: { width: gaugeR > 70 ? 14 : 10 } },
        axisTick: { show: false },
        splitLine: { show: false },
        axisLabel: { show: false },
        pointer: { show: false },
        anchor: { show: false },
        title: { offsetCenter: [0, "78%"], fontSize: narrow ? 12 : 13, lineHeight: 16, color: "#333" },
        detail: {
          offsetCenter: [0, "0%"],
          fontSize: gaugeR > 70 ? 24 : 20,
          fontWeight: 600,
          color: RED,
          formatter: function (v) { return value === null || value === undefined ? "—" : v + "%"; },
        },
        data: [{ value: value === null || value === undefined ? 0 : value, name: name }],
      };
    }
    draw("quota", {
      series: [
        gauge(["25%", "48%"], "八小时外服务\n满 " + (quota.hours || 20) + " 小时", quota.met_hours_share),
        gauge(["75%", "48%"], "本季度\n到社区报到", quota.visited_share),
      ],
    });

    // --- 社区活跃度地图 (cockpit-map.js) ----------------------------------------------------------
    var mapNode = document.querySelector('[data-chart="map"]');
    if (mapNode && window.cockpitMap) {
      whenSeen(mapNode, function () {
        var map = window.cockpitMap(mapNode, data, outline, { fmt: fmt, text: TEXT, font: TEXT.fontFamily, red: RED });
        if (map) {
          charts.push(map.chart);
          redraws.push(map.redraw);
        }
      });
    }

    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        charts.forEach(function (c) { c.resize(); });
        redraws.forEach(function (f) { f(); });
      }, 120);
    });
  }

  // After the first paint: fetch ECharts and the outlines together, then draw.
  function load() {
    var script = document.createElement("script");
    script.src = grid.getAttribute("data-echarts");
    script.async = true;
    var outline = fetch(grid.getAttribute("data-outline"))
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
    script.onload = function () {
      outline.then(function (o) { start(JSON.parse(source.textContent), o); });
    };
    document.head.appendChild(script);
  }
  requestAnimationFrame(function () { setTimeout(load, 0); });
})();
