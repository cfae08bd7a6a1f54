/*
 * The round timer (PSP-7) on a phone. It mirrors commonground/groupsessions/timer.py:
 * every peer still to speak has an equal share of what is left of the round; those finished
 * keep what they used (0 for a pass). The server's page is the truth: this only counts down
 * the current speaker's share and the round, from the times the page gives. No framework,
 * no inline script (the site's Content-Security-Policy allows scripts from itself only).
 */
(function () {
  "use strict";

  function split(seconds, people) {
    if (people <= 0) { return []; }
    seconds = Math.max(0, Math.floor(seconds));
    var each = Math.floor(seconds / people), odd = seconds % people, parts = [];
    for (var i = 0; i < people; i++) { parts.push(each + (i < odd ? 1 : 0)); }
    return parts;
  }

  function shares(total, used) {
    var spent = 0, waiting = 0, i;
    for (i = 0; i < used.length; i++) {
      if (used[i] === null) { waiting++; } else { spent += Math.max(0, used[i]); }
    }
    var parts = split(Math.max(0, total - spent), waiting), out = [], k = 0;
    for (i = 0; i < used.length; i++) {
      out.push(used[i] === null ? parts[k++] : Math.max(0, used[i]));
    }
    return out;
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.ceil(seconds));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function start(box) {
    var loaded = Date.now();
    var serverNow = Date.parse(box.getAttribute("data-server-now"));
    var ends = Date.parse(box.getAttribute("data-ends"));
    var started = box.getAttribute("data-current-started");
    var total = parseInt(box.getAttribute("data-total"), 10);
    var rows = box.querySelectorAll("tr[data-turn]");
    var used = [], current = -1;
    for (var i = 0; i < rows.length; i++) {
      var waiting = rows[i].getAttribute("data-state") === "waiting";
      used.push(waiting ? null : parseInt(rows[i].getAttribute("data-used"), 10));
      if (rows[i].hasAttribute("data-current")) { current = i; }
    }
    var parts = shares(total, used);
    for (i = 0; i < rows.length; i++) {
      var cell = rows[i].querySelector("[data-share]");
      if (cell) { cell.textContent = clock(parts[i]) + " (" + parts[i] + " s)"; }
    }
    var out = box.querySelector("[data-countdown]");
    if (!out || current < 0 || !started) { return; }
    var turnEnds = Date.parse(started) + parts[current] * 1000;
    out.hidden = false;
    function tick() {
      var now = serverNow + (Date.now() - loaded);
      var left = (Math.min(turnEnds, ends) - now) / 1000;
      var round = (ends - now) / 1000;
      out.textContent = left > 0
        ? clock(left) + " left of this share · round ends in " + clock(round)
        : "Time is up for this share";
      out.setAttribute("data-left", String(Math.max(0, Math.ceil(left))));
      if (left > 0) { window.setTimeout(tick, 250); }
    }
    tick();
  }

  var boxes = document.querySelectorAll("[data-round-timer]");
  for (var b = 0; b < boxes.length; b++) { start(boxes[b]); }
  window.commongroundRoundShares = shares;
}());
