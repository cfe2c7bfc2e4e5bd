/* WeUI's uploader: thumbnails of the chosen photos and how many there are, beside the square
   that opens the picker. The photos are posted with the form; nothing is sent before. */
(function () {
  "use strict";
  if (window.__appUploader) return;
  window.__appUploader = true;

  function show(box) {
    var input = box.querySelector("input[type=file]");
    var list = box.querySelector("[data-uploader-files]");
    var info = box.querySelector("[data-uploader-info]");
    var max = parseInt(box.getAttribute("data-max"), 10) || 3;
    input.addEventListener("change", function () {
      list.textContent = "";
      var files = Array.prototype.slice.call(input.files || []);
      files.forEach(function (file) {
        var li = document.createElement("li");
        li.className = "weui-uploader__file";
        if (window.URL && file.type.indexOf("image/") === 0) {
          li.style.backgroundImage = "url(" + URL.createObjectURL(file) + ")";
        }
        li.setAttribute("aria-label", file.name);
        list.appendChild(li);
      });
      if (!files.length) info.textContent = "选择图片";
      else if (files.length > max) info.textContent = "已选 " + files.length + " 张，最多 " + max + " 张";
      else info.textContent = "已选 " + files.length + " 张，点击可重新选择";
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-uploader]"), show);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
