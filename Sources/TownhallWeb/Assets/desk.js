// Suggestions as the agent types in the desk's search box. Progressive enhancement: the search form works the same without
// it. Suggestions are plain links after the box; the down arrow moves into them, up/down moves between them, Escape goes back.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var form = input && input.form;
  if (!form || !window.fetch) return;
  var list = document.createElement("ul");
  list.id = "q-suggestions";
  list.className = "th-suggestions";
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  var status = document.createElement("div");
  status.className = "th-visually-hidden";
  status.setAttribute("role", "status");
  var box = input.closest(".th-search") || input;
  box.parentNode.insertBefore(list, box.nextSibling);
  box.parentNode.insertBefore(status, list.nextSibling);
  input.setAttribute("aria-controls", list.id);

  var timer = null, asked = "";
  function render(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.className = "th-link";
      a.href = item.href;
      a.textContent = item.label;
      var kind = document.createElement("span");
      kind.className = "th-suggestions__kind";
      kind.textContent = " " + item.kind;
      a.appendChild(kind);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    status.textContent = items.length ? items.length + (items.length === 1 ? " suggestion" : " suggestions") + ". Press the down arrow to choose one." : "";
  }
  function suggest() {
    var q = input.value.trim();
    if (q === asked) return;
    asked = q;
    if (q.length < 2) { render([]); return; }
    fetch("/desk/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) { if (input.value.trim() === q) render(data.items || []); })
      .catch(function () { render([]); });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && !list.hidden) { e.preventDefault(); list.querySelector("a").focus(); }
  });
  list.addEventListener("keydown", function (e) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var i = links.indexOf(document.activeElement);
    if (e.key === "ArrowDown" && i < links.length - 1) { e.preventDefault(); links[i + 1].focus(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
    else if (e.key === "Escape") { render([]); input.focus(); }
  });
})();

// Guidance beside the contact log: scripts and articles for the chosen service and the words typed in "What was it
// about?", as links that open in a new tab so the form keeps what the agent has entered. Without JavaScript the
// "Find guidance" link does the same job.
(function () {
  "use strict";
  var reason = document.getElementById("reason");
  var service = document.getElementById("service_code");
  var box = document.getElementById("guidance-hints");
  if (!reason || !service || !box || !window.fetch) return;
  var list = box.querySelector("ul");
  var status = document.createElement("div");
  status.className = "th-visually-hidden";
  status.setAttribute("role", "status");
  box.parentNode.insertBefore(status, box.nextSibling);
  var timer = null, asked = null;
  function render(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.className = "th-link";
      a.href = item.href;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = item.label + " (" + item.kind + ", opens in new tab)";
      li.appendChild(a);
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
    status.textContent = items.length ? items.length + " guidance " + (items.length === 1 ? "suggestion" : "suggestions") + " below the service." : "";
  }
  function suggest() {
    var key = service.value + "|" + reason.value.trim();
    if (key === asked) return;
    asked = key;
    fetch("/desk/guidance/suggest?service_code=" + encodeURIComponent(service.value) + "&text=" + encodeURIComponent(reason.value.trim()),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) { if (service.value + "|" + reason.value.trim() === key) render(data.items || []); })
      .catch(function () { render([]); });
  }
  reason.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 250); });
  service.addEventListener("change", suggest);
  if (service.value || reason.value.trim()) suggest();
})();
