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

// The compose box marks #hashtags and @mentions as they are typed, by the rules the server
// reads them with, on a layer behind the transparent text.
function highlightCompose(form) {
  var area = form.querySelector("textarea");
  var layer = form.querySelector("[data-highlights]");
  if (!area || !layer) return;
  var draw = function () {
    var text = area.value, re = /[#@][\p{L}\p{N}_]+/gu, last = 0, m;
    layer.textContent = "";
    while ((m = re.exec(text))) {
      var before = text.slice(0, m.index).slice(-1), word = m[0];
      if (word[0] === "@") {
        word = (/^@[A-Za-z0-9_]+/.exec(word) || [""])[0];
        if (!word || /[A-Za-z0-9_]/.test(before)) continue;
      } else if (/[\p{L}\p{N}_]/u.test(before) || !/\p{L}/u.test(word)) {
        continue;
      }
      layer.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = word;
      layer.appendChild(mark);
      last = m.index + word.length;
      re.lastIndex = last;
    }
    // A last empty line still takes room in the text box.
    layer.appendChild(document.createTextNode(text.slice(last) + "\u200b"));
    layer.scrollTop = area.scrollTop;
  };
  area.addEventListener("input", draw);
  area.addEventListener("scroll", function () { layer.scrollTop = area.scrollTop; });
  draw();
  var file = form.querySelector("[data-preview]");
  var preview = form.querySelector("[data-preview-image]");
  if (file && preview) {
    file.addEventListener("change", function () {
      if (preview.src) URL.revokeObjectURL(preview.src);
      var chosen = file.files && file.files[0];
      preview.hidden = !chosen;
      if (chosen) preview.src = URL.createObjectURL(chosen);
    });
  }
}

// A "more" link loads the next page into the list when it scrolls into view.
function scrollForMore(link) {
  if (!window.IntersectionObserver || !window.DOMParser) return;
  var list = document.querySelector("[data-posts]");
  var loading = false;
  var observer = new IntersectionObserver(function (entries) {
    if (loading || !entries.some(function (e) { return e.isIntersecting; })) return;
    loading = true;
    fetch(link.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var items = page.querySelector("[data-posts]");
        if (items) Array.prototype.slice.call(items.children).forEach(function (li) { list.appendChild(li); });
        var next = page.querySelector("[data-more]");
        if (next) {
          link.href = next.getAttribute("href");
          loading = false;
        } else {
          observer.disconnect();
          link.parentNode.removeChild(link);
        }
      })
      .catch(function () { observer.disconnect(); });
  }, { rootMargin: "400px" });
  observer.observe(link);
}

// The home feed's banner counts posts that enter the feed while it is open (/ws/feed).
function followFeed(banner) {
  if (!window.WebSocket) return;
  var count = 0, wait = 1000, socket = null, leaving = false;
  var connect = function () {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/feed");
    socket.addEventListener("open", function () {
      wait = 1000;
      socket.send(JSON.stringify({ type: "subscribe", channel: "feed_updates" }));
    });
    socket.addEventListener("message", function (event) {
      var message = JSON.parse(event.data);
      if (message.type !== "new_content") return;
      count += 1;
      banner.querySelector("[data-count]").textContent = String(count);
      banner.hidden = false;
    });
    socket.addEventListener("close", function () {
      if (leaving) return;
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 30000);
    });
  };
  window.addEventListener("pagehide", function () { leaving = true; socket.close(); });
  connect();
}

// A conversation: the reply is shown as the API writes it (its SSE events, read from the
// response body), and the profile panel is fetched again whenever the profile changes, here
// or in another tab (the sync socket).
function converse(root) {
  var id = root.dataset.chat, form = root.querySelector("[data-composer]");
  var list = root.querySelector("[data-messages]"), template = root.querySelector("[data-bubble-template]");
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var refreshPanel = function () {
    fetch("/assistant/s/" + id + "/profile", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var old = document.getElementById("profile-panel");
        var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("profile-panel");
        if (fresh && old && Number(fresh.dataset.version) >= Number(old.dataset.version)) old.replaceWith(fresh);
      })
      .catch(function () {});
  };
  var bubble = function (mine, text) {
    var item = template.content.firstElementChild.cloneNode(true);
    item.classList.add(mine ? "mine" : "theirs");
    item.querySelector(".who").textContent = mine ? form.dataset.you : form.dataset.assistant;
    var body = item.querySelector(".body");
    body.textContent = text;
    list.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
    return body;
  };
  form.addEventListener("submit", function (event) {
    var area = form.querySelector("textarea"), button = form.querySelector("button"), text = area.value;
    // Empty or unsupported: the form posts, and the server says what is wrong.
    if (!text.trim() || !window.TextDecoder || !window.ReadableStream) return;
    event.preventDefault();
    bubble(true, text);
    var reply = bubble(false, form.dataset.writing), started = false;
    area.value = "";
    button.disabled = true;
    var handle = function (name, data) {
      if (name === "delta") {
        if (!started) { reply.textContent = ""; started = true; }
        reply.textContent += JSON.parse(data).text;
      } else if (name === "profile") {
        // The sync socket brings the same change to every tab; fetch here only without it.
        if (!socket || socket.readyState !== WebSocket.OPEN) refreshPanel();
      } else if (name === "done") {
        reply.textContent = JSON.parse(data).reply.text;
      } else if (name === "error") {
        throw new Error(data);
      }
    };
    fetch("/assistant/s/" + id + "/stream", {
      method: "POST", credentials: "same-origin", body: JSON.stringify({ text: text }),
      headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "text/event-stream" },
    }).then(function (response) {
      if (!response.ok || !response.body) throw new Error(String(response.status));
      var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
      var pump = function () {
        return reader.read().then(function (chunk) {
          if (chunk.done) return;
          buffer += decoder.decode(chunk.value, { stream: true });
          var frames = buffer.split("\n\n");
          buffer = frames.pop();
          frames.forEach(function (frame) {
            var name = "message", data = [];
            frame.split("\n").forEach(function (line) {
              if (line.indexOf("event:") === 0) name = line.slice(6).trim();
              else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
            });
            handle(name, data.join("\n"));
          });
          return pump();
        });
      };
      return pump();
    }).catch(function () {
      reply.textContent = form.dataset.failed;
      area.value = text;
    }).then(function () {
      button.disabled = false;
      area.focus();
    });
  });
  if (!window.WebSocket) return;
  var topic = "session/" + id + "/profile", leaving = false, socket = null;
  var connect = function () {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/api/v1/assistant/sync");
    socket.addEventListener("open", function () {
      // From the version the panel shows: a change made after the page (or the panel) was
      // rendered, or while the socket was away, is sent on subscribing.
      var panel = document.getElementById("profile-panel");
      var shown = panel ? Number(panel.dataset.version) : NaN;
      var subscribe = { type: "subscribe", topic: topic };
      if (shown >= 0) subscribe.last_seq = shown;
      socket.send(JSON.stringify(subscribe));
    });
    socket.addEventListener("message", function (event) {
      var message = JSON.parse(event.data);
      if (message.type !== "update") return;
      socket.send(JSON.stringify({ type: "ack", topic: topic, seq: message.seq }));
      refreshPanel();
    });
    socket.addEventListener("close", function () { if (!leaving) setTimeout(connect, 2000); });
  };
  window.addEventListener("pagehide", function () { leaving = true; socket.close(); });
  connect();
}

document.addEventListener("DOMContentLoaded", function () {
  var chat = document.querySelector("[data-chat]");
  if (chat) converse(chat);
  document.querySelectorAll("form[data-compose]").forEach(highlightCompose);
  var more = document.querySelector("[data-more]");
  if (more) scrollForMore(more);
  var banner = document.querySelector("[data-banner]");
  if (banner) followFeed(banner);
  document.querySelectorAll("form[data-locate]").forEach(enableLocate);
  var badge = document.querySelector(".badge[data-unread]");
  if (badge) followUnread(badge);
});
