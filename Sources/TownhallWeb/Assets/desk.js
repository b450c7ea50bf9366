// The desk's progressive enhancements: suggestions as the agent types in the search box, and guidance beside the contact
// log. Every page works the same without this script.
(function () {
  "use strict";
  if (!window.fetch) return;

  // A visually hidden live region after `element`, for announcing how many suggestions arrived.
  function statusAfter(element) {
    var status = document.createElement("div");
    status.className = "th-visually-hidden";
    status.setAttribute("role", "status");
    element.parentNode.insertBefore(status, element.nextSibling);
    return status;
  }

  // Replaces `list`'s items with a link for each suggestion; `decorate` finishes each link.
  function fillLinks(list, items, decorate) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.className = "th-link";
      a.href = item.href;
      decorate(a, item);
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  // GETs a JSON list of suggestions; `stillWanted` says whether the answer still fits what is on screen.
  function fetchItems(url, stillWanted, render) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) { if (stillWanted()) render(data.items || []); })
      .catch(function () { render([]); });
  }

  // Search suggestions: plain links after the box; the down arrow moves into them, up/down moves between them, Escape
  // goes back.
  (function () {
    var input = document.getElementById("q");
    if (!input || !input.form) return;
    var list = document.createElement("ul");
    list.id = "q-suggestions";
    list.className = "th-suggestions";
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    var box = input.closest(".th-search") || input;
    box.parentNode.insertBefore(list, box.nextSibling);
    var status = statusAfter(list);
    input.setAttribute("aria-controls", list.id);

    var timer = null, asked = "";
    function render(items) {
      fillLinks(list, items, function (a, item) {
        a.textContent = item.label;
        var kind = document.createElement("span");
        kind.className = "th-suggestions__kind";
        kind.textContent = " " + item.kind;
        a.appendChild(kind);
      });
      list.hidden = items.length === 0;
      status.textContent = items.length ? items.length + (items.length === 1 ? " suggestion" : " suggestions") + ". Press the down arrow to choose one." : "";
    }
    function suggest() {
      var q = input.value.trim();
      if (q === asked) return;
      asked = q;
      if (q.length < 2) { render([]); return; }
      fetchItems("/desk/suggest?q=" + encodeURIComponent(q), function () { return input.value.trim() === q; }, render);
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
    var reason = document.getElementById("reason");
    var service = document.getElementById("service_code");
    var box = document.getElementById("guidance-hints");
    if (!reason || !service || !box) return;
    var list = box.querySelector("ul");
    var status = statusAfter(box);
    var timer = null, asked = null;
    function key() { return service.value + "|" + reason.value.trim(); }
    function render(items) {
      fillLinks(list, items, function (a, item) {
        a.target = "_blank";
        a.rel = "noopener";
        a.textContent = item.label + " (" + item.kind + ", opens in new tab)";
      });
      box.hidden = items.length === 0;
      status.textContent = items.length ? items.length + " guidance " + (items.length === 1 ? "suggestion" : "suggestions") + " below the service." : "";
    }
    function suggest() {
      var wanted = key();
      if (wanted === asked) return;
      asked = wanted;
      fetchItems("/desk/guidance/suggest?service_code=" + encodeURIComponent(service.value) + "&text=" + encodeURIComponent(reason.value.trim()),
                 function () { return key() === wanted; }, render);
    }
    reason.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 250); });
    service.addEventListener("change", suggest);
    if (service.value || reason.value.trim()) suggest();
  })();
})();
