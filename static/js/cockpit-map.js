/* 数据驾驶舱 · 社区活跃度地图: the communities as dots on the outlines of Shaoguan's districts.
 *
 * The outlines are a GeoJSON the site ships (static/geo/shaoguan-districts.json, schematic: see
 * scripts/district_outlines.py), drawn as ECharts graphic polygons under a scatter of the
 * communities, both on longitude × Web-Mercator latitude with equal scales, so the city keeps its
 * shape without any map service. The city's view shows every district; a district's view, that
 * district; a street's, its communities. When a tile URL is configured (data-tile-url, with
 * {z}/{x}/{y}), the tiles of that Web-Mercator grid are laid behind: on this projection they line
 * up exactly. window.cockpitMap(data, helpers) draws it once ECharts and the outlines are here.
 */
(function () {
  "use strict";

  var RAD = Math.PI / 180;
  function mercY(lat) { return Math.log(Math.tan(Math.PI / 4 + (lat * RAD) / 2)) / RAD; }

  function ringsOf(feature) {
    var g = feature.geometry;
    return g.type === "Polygon" ? [g.coordinates[0]] : g.coordinates.map(function (p) { return p[0]; });
  }

  // The box to show, in (lng, mercator y): the scope's district(s) and its communities.
  function viewBox(data, features, points) {
    var districtName = data.level === "city" ? null : (data.path[1] || {}).name;
    var shown = features.filter(function (f) { return data.level === "city" || f.properties.name === districtName; });
    var xs = [], ys = [];
    if (data.level !== "street") {
      shown.forEach(function (f) {
        ringsOf(f).forEach(function (ring) {
          ring.forEach(function (c) { xs.push(c[0]); ys.push(mercY(c[1])); });
        });
      });
    }
    points.forEach(function (p) { xs.push(p.lng); ys.push(mercY(p.lat)); });
    if (!xs.length) return null;
    var box = { x0: Math.min.apply(null, xs), x1: Math.max.apply(null, xs), y0: Math.min.apply(null, ys), y1: Math.max.apply(null, ys) };
    var pad = Math.max(box.x1 - box.x0, box.y1 - box.y0, 0.02) * 0.06;
    return { cx: (box.x0 + box.x1) / 2, cy: (box.y0 + box.y1) / 2, hx: Math.max(box.x1 - box.x0, 0.02) / 2 + pad, hy: Math.max(box.y1 - box.y0, 0.02) / 2 + pad, district: districtName };
  }

  window.cockpitMap = function (node, data, outline, h) {
    var points = data.map || [];
    var features = (outline && outline.features) || [];
    var view = viewBox(data, features, points);
    if (!view) return null;
    var tileUrl = node.getAttribute("data-tile-url") || "";
    var maxHours = Math.max.apply(null, points.map(function (p) { return p.hours; }).concat([1]));
    var top = points.slice().sort(function (a, b) { return b.hours - a.hours; }).slice(0, 5);
    function row(p) { return [p.lng, mercY(p.lat), p.hours, p]; }
    function size(v) { return 6 + 14 * Math.sqrt(v[2] / maxHours); }

    // Equal scales, the plot centred in its box, the box's spare side widened to fill it; the
    // bottom margin holds the colour scale.
    function layout() {
      var w = node.clientWidth, ht = node.clientHeight;
      var m = { l: 8, r: 8, t: 8, b: 52 };
      var aw = Math.max(w - m.l - m.r, 10), ah = Math.max(ht - m.t - m.b, 10);
      var scale = Math.min(aw / (2 * view.hx), ah / (2 * view.hy));
      var hx = aw / scale / 2, hy = ah / scale / 2;
      return { left: m.l, top: m.t, width: aw, height: ah, scale: scale, xmin: view.cx - hx, xmax: view.cx + hx, ymin: view.cy - hy, ymax: view.cy + hy };
    }
    function px(g, lng, lat) { return [g.left + (lng - g.xmin) * g.scale, g.top + (g.ymax - mercY(lat)) * g.scale]; }

    function districts(g) {
      var out = [];
      var placed = []; // label boxes already drawn: a name that would overlap one is left out
      function free(x, y, w) {
        return placed.every(function (b) { return Math.abs(b.x - x) > (b.w + w) / 2 + 4 || Math.abs(b.y - y) > 16; });
      }
      features.forEach(function (f) {
        var own = f.properties.name === view.district;
        ringsOf(f).forEach(function (ring) {
          out.push({
            type: "polygon", silent: true, z: -5,
            shape: { points: ring.map(function (c) { return px(g, c[0], c[1]); }) },
            style: { fill: tileUrl ? "rgba(255,255,255,0)" : own ? "#fbeee6" : "#f6f4f1", stroke: own ? "#c8161d" : "#b9aea3", lineWidth: own ? 1.6 : 1 },
          });
        });
        var at = px(g, f.properties.centre[0], f.properties.centre[1]);
        var w = 12 * f.properties.name.length;
        if (at[0] > g.left && at[0] < g.left + g.width && at[1] > g.top && at[1] < g.top + g.height && free(at[0], at[1], w)) {
          placed.push({ x: at[0], y: at[1], w: w });
          out.push({
            type: "text", silent: true, z: -4, x: at[0], y: at[1] + 10,
            style: { text: f.properties.name, fill: "#5c5c5c", font: "12px " + h.font, align: "center", verticalAlign: "top" },
          });
        }
      });
      return out;
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
      var side = (360 / n) * g.scale;
      var out = [];
      for (var tx = tx0; tx <= tx1; tx++) {
        for (var ty = ty0; ty <= ty1; ty++) {
          out.push({
            type: "image", silent: true, z: -10,
            left: g.left + ((tx / n) * 360 - 180 - g.xmin) * g.scale,
            top: g.top + (g.ymax - (180 - (ty / n) * 360)) * g.scale,
            style: { image: tileUrl.replace("{z}", z).replace("{x}", tx).replace("{y}", ty).replace("{s}", "0"), width: side, height: side },
          });
        }
      }
      return out;
    }

    function option() {
      var g = layout();
      var hidden = { show: false };
      return {
        textStyle: h.text,
        animation: false,
        grid: { left: g.left, top: g.top, width: g.width, height: g.height },
        graphic: { elements: tiles(g).concat(districts(g)) },
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var c = p.data[3];
            return (
              "<b>" + c.name + "</b>（" + c.street + "）<br>服务时长：" + h.fmt(c.hours) + " 小时<br>开展活动：" +
              h.fmt(c.activities) + " 场<br>参与人次：" + h.fmt(c.participations) + "<br>解决问题：" + h.fmt(c.problems_solved) +
              " 件<br>报到党员：" + h.fmt(c.members) + " 人"
            );
          },
        },
        // Axes only place the dots: no grid lines or degree labels over the map.
        xAxis: { type: "value", min: g.xmin, max: g.xmax, axisLine: hidden, axisTick: hidden, axisLabel: hidden, splitLine: hidden },
        yAxis: { type: "value", min: g.ymin, max: g.ymax, axisLine: hidden, axisTick: hidden, axisLabel: hidden, splitLine: hidden },
        visualMap: {
          type: "continuous", min: 0, max: maxHours, dimension: 2, seriesIndex: 0, orient: "horizontal",
          left: "center", bottom: 0, itemHeight: 120, text: ["服务时长多", "少"], calculable: false,
          textStyle: { color: "#4d4d4d" },
          inRange: { color: ["#fde5c8", "#f6a04d", "#e0452b", "#a50f15"] },
        },
        series: [
          { name: "社区", type: "scatter", data: points.map(row), symbolSize: size, itemStyle: { borderColor: "#fff", borderWidth: 0.6, opacity: 0.92 } },
          // The five busiest, ringed in red (a still ring: an animated one keeps a phone's CPU busy).
          {
            name: "服务时长前五", type: "scatter", data: top.map(row), symbolSize: function (v) { return size(v) + 4; },
            itemStyle: { color: "rgba(0,0,0,0)", borderColor: h.red, borderWidth: 2 }, z: 3,
          },
        ],
      };
    }

    var chart = echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(option());
    return { chart: chart, redraw: function () { chart.setOption(option(), { replaceMerge: ["graphic"] }); } };
  };
})();
