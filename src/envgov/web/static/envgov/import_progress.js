// The monitoring import page: while the upload is processed (one request), poll the import's progress and
// show rows read, per cent and time left. Words come from the page (translated there), numbers from the server.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  var box = document.getElementById("import-progress");
  var words = document.getElementById("import-progress-words");
  if (!form || !box || !words) return;
  var bar = box.querySelector("progress");
  var text = box.querySelector(".progress-text");
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }
  function show(p) {
    if (p.state === "waiting") { text.textContent = words.dataset.waiting; return; }
    bar.value = p.percent;
    var line = fill(words.dataset.reading, { rows: p.rows_read.toLocaleString("zh-CN"), percent: p.percent });
    if (p.seconds_left !== null && p.percent < 100) line += fill(words.dataset.left, { seconds: p.seconds_left });
    if (p.percent >= 100) line = words.dataset.finishing;
    text.textContent = line;
  }
  form.addEventListener("submit", function () {
    var token = form.querySelector("input[name=progress_token]").value;
    var url = form.dataset.progressUrl + "?token=" + encodeURIComponent(token);
    box.hidden = false;
    text.textContent = words.dataset.waiting;
    function poll() {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) { if (p) show(p); }).catch(function () {}).finally(function () { setTimeout(poll, 1000); });
    }
    setTimeout(poll, 1000);
  });
})();
