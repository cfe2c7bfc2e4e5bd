/* 排行榜 pages: the district filter, the tab strip, the rank history chart and the 报到之星 card.
   Plain JavaScript; the pages work without it except for the chart and the card. */
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // The district select shows its board at once; a submit button stands in without JavaScript.
  function filter() {
    var form = document.querySelector("[data-board-filter]");
    if (!form) return;
    form.querySelector("select").addEventListener("change", function () { form.submit(); });
  }

  // Keep the current tab in view in the scrolling strip (the last tabs are off-screen on phones).
  function tabs() {
    var strip = document.querySelector("[data-board-tabs]");
    var on = strip && strip.querySelector(".board-tab_on");
    if (!on) return;
    var left = on.offsetLeft - (strip.clientWidth - on.offsetWidth) / 2;
    strip.scrollLeft = Math.max(0, left);
    fade(strip);
    strip.addEventListener("scroll", function () { fade(strip); }, { passive: true });
    window.addEventListener("resize", function () { fade(strip); });
  }

  // The cue that the strip scrolls: the side that hides tabs fades out (boards.css).
  function fade(strip) {
    var more = strip.scrollLeft + strip.clientWidth < strip.scrollWidth - 2;
    strip.classList.toggle("board-tabs_more", more);
    strip.classList.toggle("board-tabs_less", strip.scrollLeft > 2);
  }

  function historyChart() {
    var el = document.getElementById("board-history");
    var points = readJSON("board-history-data");
    if (!el || !points || typeof echarts === "undefined") return;
    var perCapita = el.getAttribute("data-per-capita") === "1";
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      color: ["#c8161d", "#fa9d3b"],
      tooltip: { trigger: "axis" },
      legend: { top: 6, data: ["全市名次", perCapita ? "人均分" : "总分"] },
      grid: { left: 48, right: 48, top: 40, bottom: 32 },
      xAxis: { type: "category", data: points.map(function (p) { return p.day.slice(5); }) },
      yAxis: [
        { type: "value", name: "名次", inverse: true, min: 1, minInterval: 1, nameTextStyle: { align: "right" } },
        { type: "value", name: perCapita ? "人均分" : "总分", splitLine: { show: false } }
      ],
      series: [
        { name: "全市名次", type: "line", smooth: true, data: points.map(function (p) { return p.rank; }) },
        {
          name: perCapita ? "人均分" : "总分", type: "line", yAxisIndex: 1, smooth: true,
          data: points.map(function (p) { return perCapita ? p.per_capita : p.score; })
        }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // --- 报到之星 card ---------------------------------------------------------------------
  var FONT = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

  function fitText(ctx, text, maxWidth, size, weight) {
    var s = size;
    do {
      ctx.font = (weight || "normal") + " " + s + "px " + FONT;
      s -= 2;
    } while (ctx.measureText(text).width > maxWidth && s > 14);
    return text;
  }

  function drawCard(canvas, card) {
    var ctx = canvas.getContext("2d");
    var w = canvas.width, h = canvas.height;
    var bg = ctx.createLinearGradient(0, 0, w, h);
    bg.addColorStop(0, "#c8161d");
    bg.addColorStop(1, "#e0452b");
    ctx.fillStyle = bg;
    ctx.fillRect(0, 0, w, h);

    // A gold star behind the title.
    ctx.save();
    ctx.translate(w / 2, 200);
    ctx.beginPath();
    for (var i = 0; i < 10; i++) {
      var r = i % 2 === 0 ? 110 : 46, a = Math.PI / 5 * i - Math.PI / 2;
      ctx.lineTo(Math.cos(a) * r, Math.sin(a) * r);
    }
    ctx.closePath();
    ctx.fillStyle = "#ffd34d";
    ctx.fill();
    ctx.restore();

    ctx.textAlign = "center";
    ctx.fillStyle = "#fff";
    ctx.font = "bold 56px " + FONT;
    ctx.fillText(card.month + "报到之星", w / 2, 380);
    ctx.font = "bold 120px " + FONT;
    ctx.fillStyle = "#ffd34d";
    ctx.fillText("第 " + card.rank + " 名", w / 2, 520);

    // The white panel with the member and the figures.
    ctx.fillStyle = "#fff";
    ctx.beginPath();
    if (ctx.roundRect) ctx.roundRect(48, 570, w - 96, 330, 24); else ctx.rect(48, 570, w - 96, 330);
    ctx.fill();
    ctx.fillStyle = "#1a1a1a";
    ctx.fillText(fitText(ctx, card.name, w - 160, 60, "bold"), w / 2, 650);
    ctx.fillStyle = "#666";
    var where = [card.unit, card.community].filter(Boolean).join(" · ");
    ctx.fillText(fitText(ctx, where, w - 160, 30), w / 2, 700);

    var figures = [[card.hours, "服务时长(小时)"], [card.services, "服务次数"], [card.likes, "群众点赞"]];
    var col = (w - 96) / 3;
    figures.forEach(function (f, k) {
      var x = 48 + col * k + col / 2;
      ctx.fillStyle = "#c8161d";
      ctx.font = "bold 52px " + FONT;
      ctx.fillText(String(f[0]), x, 800);
      ctx.fillStyle = "#888";
      ctx.font = "26px " + FONT;
      ctx.fillText(f[1], x, 850);
    });

    ctx.fillStyle = "rgba(255,255,255,.92)";
    ctx.font = "30px " + FONT;
    ctx.fillText(card.platform, w / 2, 960);
    ctx.font = "24px " + FONT;
    ctx.fillStyle = "rgba(255,255,255,.75)";
    ctx.fillText("社区吹哨 · 党员报到　数据截至 " + card.day, w / 2, 1000);
  }

  function starCard() {
    var canvas = document.getElementById("star-canvas");
    var card = readJSON("star-card-data");
    if (!canvas || !card) return;
    drawCard(canvas, card);
    var url = canvas.toDataURL("image/png");
    var img = document.getElementById("star-image");
    if (img) {
      img.src = url;
      img.hidden = false;
      canvas.classList.add("is-drawn");
    }
    var save = document.querySelector("[data-star-save]");
    if (save) {
      save.addEventListener("click", function () {
        var a = document.createElement("a");
        a.href = canvas.toDataURL("image/png");
        a.download = "报到之星-" + card.name + "-" + card.month + ".png";
        document.body.appendChild(a);
        a.click();
        a.remove();
      });
    }
  }

  function start() {
    filter();
    tabs();
    historyChart();
    starCard();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
