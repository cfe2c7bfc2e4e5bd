/* Shaoguan Whistle H5 pages: small progressive enhancements, no framework. */
(function () {
  "use strict";

  // "使用当前位置": fill the form's hidden lat/lng (browser positions are WGS-84).
  // With data-geo-submit the form is submitted once the position is known.
  function locate(button) {
    var form = button.form || button.closest("form");
    var status = form.querySelector("[data-geo-status]");
    function say(text, warn) {
      if (status) {
        status.textContent = text;
        status.classList.toggle("app-error", !!warn);
      }
    }
    if (!navigator.geolocation) {
      say("当前浏览器不支持定位，请在手机浏览器或微信中打开。", true);
      return;
    }
    button.disabled = true;
    say("正在获取位置…");
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.querySelector("[data-geo=lat]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[data-geo=lng]").value = pos.coords.longitude.toFixed(6);
        var coord = form.querySelector("[data-geo=coord]");
        if (coord) coord.value = "wgs84";
        button.disabled = false;
        say("已获取当前位置（精度约 " + Math.round(pos.coords.accuracy || 0) + " 米）" +
            (button.hasAttribute("data-geo-submit") ? "，正在查找…" : "，保存后生效。"));
        if (button.hasAttribute("data-geo-submit")) form.submit();
      },
      function (err) {
        button.disabled = false;
        say(err && err.code === 1 ? "未获得定位权限，请在设置中允许本页面使用位置。" : "定位失败，请稍后重试。", true);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-geolocate]");
    if (button) {
      e.preventDefault();
      locate(button);
    }
  });

  // Show the unit field only for in-service party members (在职党员).
  var kind = document.querySelector("[data-member-kind]");
  if (kind) {
    var unitCell = document.querySelector("[data-unit-cell]");
    var sync = function () { unitCell.hidden = kind.value !== "in_service"; };
    kind.addEventListener("change", sync);
    sync();
  }

  // Ask before actions that cannot be undone from the page.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
})();
