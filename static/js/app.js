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

  // A form sent after the session ended is not saved: the server leads
  // through the sign-in page (which then carries data-unsent) back to the
  // page the form was on. What was typed into the form's text fields is
  // kept in this tab from the moment it is sent; the page after the next
  // successful sign-in puts it back into the same form, and any other page
  // forgets it at once. Passwords, PINs and codes are never kept.
  // Text fields only: choices (selects, boxes) are made again.
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  if (!store) return;
  var DRAFT = "yishi.draft", RESTORE = "yishi.restore";
  var SECRET = /^(_csrf|password|confirm|current|pin|code|check)$/;
  var textual = function (el) {
    if (!el.name || el.disabled || SECRET.test(el.name)) return false;
    if (el.tagName === "TEXTAREA") return true;
    if (el.tagName !== "INPUT") return false;
    return /^(text|tel|number|url|email|date|datetime-local|search)$/.test((el.type || "text").toLowerCase());
  };
  var actionOf = function (f) { return f.getAttribute("action") || window.location.pathname; };
  document.addEventListener("submit", function (evt) {
    var f = evt.target;
    // Forms with a password (signing in, a station's PIN) keep nothing,
    // and leave the draft of the form they lead back to.
    if (evt.defaultPrevented || !f || !f.elements || (f.getAttribute("method") || "").toLowerCase() !== "post" ||
      f.querySelector("input[type=password]")) return;
    var fields = {}, any = false;
    Array.prototype.forEach.call(f.elements, function (el) {
      if (textual(el) && el.value) { fields[el.name] = el.value; any = true; }
    });
    // A form with nothing typed (a display switch, say) leaves any draft.
    if (any) store.setItem(DRAFT, JSON.stringify({ action: actionOf(f), fields: fields }));
  }, true); // before htmx takes the submission over, after data-confirm
  // A form htmx sent and the server took leaves no page load behind to
  // forget its draft: it is forgotten here, so that it never comes back
  // after a later sign-in.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var cfg = evt.detail && evt.detail.requestConfig;
    if (evt.detail.successful && cfg && String(cfg.verb).toLowerCase() === "post") store.removeItem(DRAFT);
  });
  if (document.querySelector("form[data-testid='login-form']")) {
    // The sign-in page keeps the draft for the page after it, however
    // many tries signing in takes.
    if (document.querySelector("[data-unsent]")) store.setItem(RESTORE, "1");
    return;
  }
  var raw = store.getItem(DRAFT), restore = store.getItem(RESTORE) === "1";
  store.removeItem(DRAFT);
  store.removeItem(RESTORE);
  if (!raw || !restore) return;
  var draft;
  try { draft = JSON.parse(raw); } catch (e) { return; }
  var forms = document.querySelectorAll("form");
  for (var i = 0; i < forms.length; i++) {
    var f = forms[i];
    if (actionOf(f) !== draft.action || (f.getAttribute("method") || "").toLowerCase() !== "post") continue;
    var put = false;
    Object.keys(draft.fields || {}).forEach(function (name) {
      var el = f.elements[name];
      if (el && textual(el)) { el.value = draft.fields[name]; put = true; }
    });
    if (put) {
      var note = document.createElement("p");
      note.className = "flash flash-ok";
      note.setAttribute("role", "status");
      note.setAttribute("data-testid", "draft-restored");
      // The words come from the page, in its language (layout's toast).
      var toast = document.getElementById("toast");
      note.textContent = toast ? toast.getAttribute("data-draft-restored") : "";
      f.parentNode.insertBefore(note, f);
      return;
    }
  }
})();
