// The projector's live tally: the server sends the board again whenever the
// meeting changes (server-sent events); without JavaScript, or where
// EventSource is missing, the page refreshes itself instead.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.EventSource) {
    if (board) setTimeout(function () { window.location.reload(); }, 5000);
    return;
  }
  var src = new EventSource(board.getAttribute("data-live"));
  src.addEventListener("board", function (evt) {
    var cur = document.getElementById("board");
    if (!cur) return;
    var tmp = document.createElement("div");
    tmp.innerHTML = evt.data;
    var next = tmp.firstElementChild;
    if (next) cur.replaceWith(next);
  });
})();
