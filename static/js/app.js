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
        form.dispatchEvent(new CustomEvent("app:located", { bubbles: true }));
        button.disabled = false;
        say("已获取当前位置（精度约 " + Math.round(pos.coords.accuracy || 0) + " 米）" +
            (button.hasAttribute("data-geo-submit") ? "，正在查找…" : "，保存后生效。"));
        if (button.hasAttribute("data-geo-submit")) form.submit();
      },
      function (err) {
        button.disabled = false;
        // Where the form offers another way (searching the community), say so, once, here.
        var other = form.querySelector("[data-community-search]");
        var why = err && err.code === 1 ? "未获得定位权限" : "定位失败";
        say(other ? why + "，请在下方搜索社区名称或地址，并在“地址”中写明具体位置。"
                  : (err && err.code === 1 ? "未获得定位权限，请在设置中允许本页面使用位置。" : "定位失败，请稍后重试。"), true);
        if (other) other.focus();
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

  // A job's progress (调剂 being solved): ask for the fragment again every data-poll-ms and put
  // it in place; once it says data-done, reload the page to show the result.
  function poll(box) {
    var url = box.getAttribute("data-poll-url");
    var every = parseInt(box.getAttribute("data-poll-ms"), 10) || 2000;
    setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      }).then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var next = holder.firstElementChild;
        if (!next) throw new Error("empty");
        if (next.hasAttribute("data-done")) {
          window.location.reload();
          return;
        }
        box.replaceWith(next);
        poll(next);
      }).catch(function () { poll(box); });
    }, every);
  }
  document.querySelectorAll("[data-poll-url]").forEach(poll);

  // 数据下载: 导出 Excel posts the choices of its own form (a GET form, for the CSV links) to start the job.
  var xlsxPost = document.querySelector("[data-xlsx-post]");
  document.querySelectorAll("[data-xlsx-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = button.form;
      if (!xlsxPost || !source || !source.reportValidity()) return;
      xlsxPost.querySelectorAll("[data-copied]").forEach(function (el) { el.remove(); });
      new FormData(source).forEach(function (value, name) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = name;
        field.value = value;
        field.setAttribute("data-copied", "");
        xlsxPost.appendChild(field);
      });
      xlsxPost.action = button.getAttribute("data-xlsx-action");
      xlsxPost.submit();
    });
  });

  // 点单: once the position (or the duty) is known, propose the nearest communities and show
  // "是否是您的问题？" — open requests of the same duty nearby, which the resident can join.
  var orderForm = document.querySelector("[data-order-form]");
  if (orderForm) {
    var csrf = orderForm.querySelector("[name=csrfmiddlewaretoken]").value;
    var lookup = function () {
      var lat = orderForm.querySelector("[data-geo=lat]").value;
      var lng = orderForm.querySelector("[data-geo=lng]").value;
      if (!lat || !lng) return;
      var duty = orderForm.querySelector("[data-order-duty]").value;
      var coord = orderForm.querySelector("[data-geo=coord]").value || "wgs84";
      var url = orderForm.getAttribute("data-nearby-url") + "?lat=" + encodeURIComponent(lat) +
        "&lng=" + encodeURIComponent(lng) + "&coord_system=" + encodeURIComponent(coord) +
        "&duty=" + encodeURIComponent(duty);
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        return r.json().then(function (data) { data.throttled = r.status === 429; return data; });
      }).then(function (data) {
        if (data.error && !data.throttled) return;
        var select = orderForm.querySelector("[data-order-community]");
        if (data.communities && data.communities.length) {
          var keep = select.value;
          select.innerHTML = "";
          data.communities.forEach(function (c, i) {
            var o = document.createElement("option");
            o.value = c.id;
            o.textContent = c.name + "（约 " + c.distance_m + " 米）";
            if (keep ? String(c.id) === keep : i === 0) o.selected = true;
            select.appendChild(o);
          });
        }
        var box = orderForm.querySelector("[data-order-dupes]");
        var list = orderForm.querySelector("[data-order-dupes-list]");
        list.innerHTML = "";
        if (data.throttled) {
          // Too many lookups: say so rather than show an empty list.
          var refused = document.createElement("p");
          refused.className = "app-error";
          refused.setAttribute("data-testid", "dupes-refused");
          refused.textContent = data.error;
          list.appendChild(refused);
          box.hidden = false;
          return;
        }
        var others = (data.requests || []).filter(function (r) { return !r.mine; });
        others.forEach(function (r) {
          var row = document.createElement("div");
          row.className = "app-dupe";
          var text = document.createElement("p");
          text.textContent = r.title + "（" + r.status + " · " + r.created + " · 约 " + r.distance_m + " 米）";
          // The order form cannot hold another form: the join form lives outside it and
          // the button names it.
          var join = document.getElementById("join-" + r.id) || document.createElement("form");
          join.id = "join-" + r.id;
          join.method = "post";
          join.action = "/requests/" + r.id + "/join/";
          join.hidden = true;
          // The location the lookup used goes with it: being at the place is the reason to follow.
          join.innerHTML = '<input type="hidden" name="csrfmiddlewaretoken"><input type="hidden" name="lat">' +
            '<input type="hidden" name="lng"><input type="hidden" name="coord_system">';
          join.querySelector("[name=csrfmiddlewaretoken]").value = csrf;
          join.querySelector("[name=lat]").value = lat;
          join.querySelector("[name=lng]").value = lng;
          join.querySelector("[name=coord_system]").value = coord;
          document.body.appendChild(join);
          var button = document.createElement("button");
          button.type = "submit";
          button.className = "weui-btn weui-btn_mini weui-btn_primary";
          button.setAttribute("form", join.id);
          button.textContent = "是我的问题";
          row.appendChild(text);
          row.appendChild(button);
          list.appendChild(row);
        });
        box.hidden = others.length === 0;
      }).catch(function () {});
    };
    orderForm.addEventListener("app:located", lookup);
    orderForm.querySelector("[data-order-duty]").addEventListener("change", lookup);

    // Without a location: find the community by its name, street or address.
    var search = orderForm.querySelector("[data-community-search]");
    if (search) {
      var searchStatus = orderForm.querySelector("[data-community-search-status]");
      var timer = null;
      var asked = "";
      var find = function () {
        var q = search.value.trim();
        if (!q || q === asked) return;
        asked = q;
        var url = orderForm.getAttribute("data-communities-url") + "?q=" + encodeURIComponent(q);
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
          if (q !== asked) return;  // a later search has been sent
          var rows = data.communities || [];
          var select = orderForm.querySelector("[data-order-community]");
          if (!rows.length) {
            searchStatus.textContent = "没有找到“" + q + "”，请换个名称、街道或地址试试。";
            return;
          }
          select.innerHTML = "";
          rows.forEach(function (c, i) {
            var o = document.createElement("option");
            o.value = c.id;
            o.textContent = c.name + "（" + c.place + "）";
            if (i === 0) o.selected = true;
            select.appendChild(o);
          });
          searchStatus.textContent = "找到 " + rows.length + " 个社区，已选“" + rows[0].name + "”，可在下方更换。";
        }).catch(function () { asked = ""; searchStatus.textContent = "搜索失败，请稍后重试。"; });
      };
      search.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(find, 300);
      });
      search.addEventListener("keydown", function (e) {
        if (e.key === "Enter") {  // searching, not submitting the order
          e.preventDefault();
          clearTimeout(timer);
          find();
        }
      });
    }
  }
})();
