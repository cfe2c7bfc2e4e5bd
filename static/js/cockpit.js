/* 数据驾驶舱: the charts that need ECharts — the donut, the gauges and the map (cockpit-map.js) —
 * drawn from the figures embedded in the page (#cockpit-data). The trend and the bar charts are
 * SVG drawn on the server (rankings/cockpit/charts/), on the page with its first paint.
 *
 * ECharts (our build of the charts used, static/vendor/echarts/) is fetched, with the district
 * outlines for the map, only when one of these charts is scrolled to, and each is drawn as it comes
 * into view: a phone that opens the page spends nothing on them until its reader gets there.
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
  // none keeps a phone busy long; the first of them fetches ECharts and the outlines.
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
  var loading = null;
  function load() {
    if (loading) return loading;
    var outline = fetch(grid.getAttribute("data-outline"))
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
    loading = new Promise(function (resolve) {
      var script = document.createElement("script");
      script.src = grid.getAttribute("data-echarts");
      script.async = true;
      script.onload = function () { outline.then(resolve); };
      document.head.appendChild(script);
    });
    return loading;
  }
  function drawn(fn) {
    load().then(function (outline) { enqueue(function () { fn(outline); }); });
  }
  var seen = "IntersectionObserver" in window
    ? new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) return;
        seen.unobserve(e.target);
        drawn(e.target.cockpitDraw);
      });
    }, { threshold: 0.3 })
    : null;
  function whenSeen(node, fn) {
    if (!seen) return drawn(fn);
    node.cockpitDraw = fn;
    seen.observe(node);
  }

  function start(data) {
    // build() makes the chart's option when it is drawn, sized to its box then.
    function draw(name, build, then) {
      var node = document.querySelector('[data-chart="' + name + '"]');
      if (!node) return;
      whenSeen(node, function () {
        var option = build(node);
        var chart = echarts.init(node, null, { renderer: "canvas" });
        option.textStyle = TEXT;
        option.color = option.color || PALETTE;
        option.animation = false; // the first paint is the final picture
        chart.setOption(option);
        charts.push(chart);
        if (then) then(chart);
      });
    }

    // On a phone the donut's legend goes under it.
    var narrow = window.innerWidth < 600;

    // --- 八大职责 ------------------------------------------------------------------------------
    var duties = data.duties || [];
    draw("duties", function () { return {
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
    }; });

    // --- 履职达标 ------------------------------------------------------------------------------
    var quota = data.quota || {};
    // Two gauges side by side, each sized to its half of the box, so they neither overlap nor clip.
    var gaugeR = 80;
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
    draw("quota", function (node) {
      gaugeR = Math.max(40, Math.min(node.clientWidth / 4 - 10, node.clientHeight / 2 - 36));
      return { series: [
        gauge(["25%", "48%"], "八小时外服务\n满 " + (quota.hours || 20) + " 小时", quota.met_hours_share),
        gauge(["75%", "48%"], "本季度\n到社区报到", quota.visited_share),
      ] };
    });

    // --- 社区活跃度地图 (cockpit-map.js) ----------------------------------------------------------
    var mapNode = document.querySelector('[data-chart="map"]');
    if (mapNode && window.cockpitMap) {
      whenSeen(mapNode, function (outline) {
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

  // After the first paint: watch for the charts to come into view.
  requestAnimationFrame(function () {
    setTimeout(function () { start(JSON.parse(source.textContent)); }, 0);
  });
})();
