(function () {
  "use strict";
  var doc = document;
  function hits() {
    return Array.prototype.filter.call(doc.querySelectorAll(".hit[id]"), function (el) { return el.tabIndex >= 0; });
  }
  function move(step) {
    var list = hits();
    if (!list.length) { return; }
    var current = doc.activeElement && doc.activeElement.closest ? doc.activeElement.closest(".hit[id]") : null;
    var at = list.indexOf(current);
    if (at < 0) {
      var y = window.innerHeight / 3;
      at = step > 0 ? -1 : list.length;
      for (var i = 0; i < list.length; i++) {
        if (list[i].getBoundingClientRect().top > y) { at = step > 0 ? i - 1 : i; break; }
      }
    }
    var next = list[Math.min(list.length - 1, Math.max(0, at + step))];
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: "center" });
    var count = doc.getElementById("hit-position");
    if (count) { count.textContent = (list.indexOf(next) + 1) + " of " + list.length; }
  }
  doc.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
      (t.tagName === "INPUT" && !/^(radio|checkbox|button|submit)$/.test(t.type)));
    if (ev.altKey || ev.ctrlKey || ev.metaKey || typing) {
      if (ev.key === "Escape" && t && t.blur) { t.blur(); }
      return;
    }
    if (ev.key === "j") { move(1); ev.preventDefault(); }
    else if (ev.key === "k") { move(-1); ev.preventDefault(); }
    else if (ev.key === "Escape" && t && t.closest && t.closest(".hit")) { t.closest(".hit").blur(); }
  });
  Array.prototype.forEach.call(doc.querySelectorAll("[data-move]"), function (b) {
    b.addEventListener("click", function () { move(Number(b.getAttribute("data-move"))); });
  });
  function applyFilter() {
    var picked = doc.querySelector("input[name=role-filter]:checked");
    var group = picked ? picked.value : "all";
    Array.prototype.forEach.call(doc.querySelectorAll(".hit[id]"), function (el) {
      el.tabIndex = group === "all" || el.getAttribute("data-rg") === group ? 0 : -1;
    });
  }
  Array.prototype.forEach.call(doc.querySelectorAll("input[name=role-filter]"), function (r) {
    r.addEventListener("change", applyFilter);
  });
  applyFilter();
  Array.prototype.forEach.call(doc.querySelectorAll("[data-copy]"), function (b) {
    b.addEventListener("click", function () {
      var src = doc.getElementById(b.getAttribute("data-copy"));
      var items = src ? src.querySelectorAll("li") : [];
      var text = Array.prototype.map.call(items, function (li, i) { return (i + 1) + ". " + li.textContent.trim(); }).join("\n");
      var status = doc.getElementById(b.getAttribute("aria-controls") || "") || b;
      function done(ok) { status.textContent = ok ? "Copied" : "Select and copy the questions by hand"; }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      } else { done(false); }
    });
  });
  Array.prototype.forEach.call(doc.querySelectorAll("[data-js-only]"), function (el) { el.hidden = false; });
})();
