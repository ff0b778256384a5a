(function () {
  "use strict";
  var doc = document;
  var cards = Array.prototype.slice.call(doc.querySelectorAll(".qcard"));
  var labels = { coverage: "coverage talk", outcomes: "outcomes talk", neither: "neither" };
  var at = 0, answers = {};
  Array.prototype.forEach.call(doc.querySelectorAll("[data-js-only]"), function (el) { el.hidden = false; });
  function card() { return cards[at]; }
  function score() {
    var right = 0, n = 0, missed = {};
    cards.forEach(function (c, i) {
      if (!(i in answers)) { return; }
      n += 1;
      if (answers[i] === c.getAttribute("data-answer")) { right += 1; }
      else {
        var cat = c.getAttribute("data-category");
        missed[cat] = (missed[cat] || 0) + 1;
      }
    });
    return { right: right, answered: n, missed: missed };
  }
  function progress() {
    var s = score();
    doc.getElementById("progress").textContent = "Line " + (at + 1) + " of " + cards.length +
      " · score " + s.right + " of " + s.answered;
  }
  function show(i, focus) {
    at = Math.max(0, Math.min(cards.length - 1, i));
    cards.forEach(function (c, j) { c.hidden = j !== at; });
    doc.getElementById("done").hidden = true;
    doc.querySelector(".pager").hidden = false;
    progress();
    if (focus) { card().querySelector("h2").focus(); }
  }
  function finish() {
    var s = score(), parts = [];
    cards.forEach(function (c) { c.hidden = true; });
    doc.querySelector(".pager").hidden = true;
    doc.getElementById("progress").textContent = "Finished";
    doc.getElementById("score").textContent = "You got " + s.right + " of " + s.answered + " right" +
      (s.answered < cards.length ? " (" + (cards.length - s.answered) + " not answered)." : ".");
    Object.keys(s.missed).sort(function (a, b) { return s.missed[b] - s.missed[a]; }).forEach(function (k) {
      parts.push(k + " (" + s.missed[k] + " missed)");
    });
    doc.getElementById("review").textContent = parts.length ? "Categories to review: " + parts.join(", ") : "Nothing to review.";
    var done = doc.getElementById("done");
    done.hidden = false;
    done.querySelector("h2").focus();
  }
  function step(d) {
    if (!doc.getElementById("done").hidden) { if (d < 0) { show(cards.length - 1, true); } return; }
    if (at + d >= cards.length) { finish(); } else { show(at + d, true); }
  }
  function reveal() { card().querySelector("details.reveal").open = true; }
  function choose(choice) {
    var c = card();
    if (!(at in answers)) {
      answers[at] = choice;
      var right = choice === c.getAttribute("data-answer");
      c.classList.add(right ? "right" : "wrong");
      c.querySelector(".result").textContent = right ? "Right." :
        "Not quite: you said " + labels[choice] + ".";
      Array.prototype.forEach.call(c.querySelectorAll("[data-choice]"), function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-choice") === choice ? "true" : "false");
      });
    }
    reveal();
    progress();
  }
  cards.forEach(function (c) {
    Array.prototype.forEach.call(c.querySelectorAll("[data-choice]"), function (b) {
      b.addEventListener("click", function () { choose(b.getAttribute("data-choice")); });
    });
  });
  Array.prototype.forEach.call(doc.querySelectorAll("[data-step]"), function (b) {
    b.addEventListener("click", function () { step(Number(b.getAttribute("data-step"))); });
  });
  doc.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.altKey || ev.ctrlKey || ev.metaKey || (t && /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    var k = ev.key, onDone = !doc.getElementById("done").hidden;
    if (!onDone && (k === "c" || k === "o" || k === "n")) {
      choose({ c: "coverage", o: "outcomes", n: "neither" }[k]);
    } else if (!onDone && (k === "?" || k === "h")) {
      var hint = card().querySelector("details.hint");
      hint.open = !hint.open;
    } else if (!onDone && (k === " " || k === "r") && !(t && t.closest && t.closest("button, summary, a, .hit"))) {
      reveal();
    } else if (k === "ArrowRight" || k === "j") {
      step(1);
    } else if (k === "ArrowLeft" || k === "k") {
      step(-1);
    } else { return; }
    ev.preventDefault();
  });
  show(0, false);
})();
