// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // One toast for every failed htmx request, in the page's language (the
  // server sends the message in the HX-Trigger-free error partial body).
  document.addEventListener("htmx:responseError", function (evt) {
    var toast = document.getElementById("toast");
    if (!toast) return;
    var xhr = evt.detail.xhr;
    var msg = xhr.getResponseHeader("X-Yishi-Message");
    toast.textContent = msg ? decodeURIComponent(msg) : (document.documentElement.lang === "en" ? "Something went wrong. Please try again." : "操作失败，请重试。");
    toast.hidden = false;
  });
  document.addEventListener("htmx:sendError", function () {
    var toast = document.getElementById("toast");
    if (!toast) return;
    toast.textContent = document.documentElement.lang === "en" ? "No connection. Please try again." : "网络连接失败，请重试。";
    toast.hidden = false;
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var toast = document.getElementById("toast");
    if (toast) toast.hidden = true;
  });
  // Buttons marked data-print print the page. They come hidden: without
  // JavaScript the page says how to print from the browser instead.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  // Forms marked data-confirm ask once more before a final action; without
  // JavaScript the server-side confirmation step does the same job.
  document.addEventListener("submit", function (evt) {
    var msg = evt.target.getAttribute && evt.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) evt.preventDefault();
  }, true);
})();
