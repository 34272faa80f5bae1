// maru's pages work without this script; it adds the live parts.
"use strict";

// Dates are shown in the visitor's time zone: tell the server which one it is.
(function rememberTimeZone() {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && document.cookie.indexOf("maru_tz=" + zone) === -1) {
    document.cookie = "maru_tz=" + zone + "; Path=/; Max-Age=31536000; SameSite=Strict";
  }
})();

// "Use my location" fills a form's latitude and longitude from the browser.
function enableLocate(form) {
  var button = form.querySelector("[data-locate-button]");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(6);
      form.querySelector("[name=lng]").value = position.coords.longitude.toFixed(6);
      button.disabled = false;
    }, function () {
      button.disabled = false;
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
  });
}

// The unread badge follows the visitor's notifications as they arrive.
function followUnread(badge) {
  if (!window.EventSource) return;
  var refresh = function () {
    fetch("/api/v1/me/notifications/unread-count", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) return;
        badge.textContent = String(body.count);
        badge.dataset.unread = String(body.count);
        badge.hidden = body.count === 0;
      })
      .catch(function () {});
  };
  var stream = new EventSource("/api/v1/stream");
  ["notification.created", "notification.read", "notification.read_all"].forEach(function (name) {
    stream.addEventListener(name, refresh);
  });
  window.addEventListener("pagehide", function () { stream.close(); });
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-locate]").forEach(enableLocate);
  var badge = document.querySelector(".badge[data-unread]");
  if (badge) followUnread(badge);
});
