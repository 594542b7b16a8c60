// Polls a bank import or confirmation job and shows its progress until it has finished.
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box || box.dataset.busy !== "1") { return; }
  function phase(name) {
    return name === "parse" ? box.dataset.phaseParse : name === "save" ? box.dataset.phaseSave
      : name === "confirm" ? box.dataset.phaseConfirm : box.dataset.phaseNone;
  }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (s) {
        var bar = document.getElementById("import-progress");
        bar.max = s.progress.total || 1; bar.value = s.progress.done;
        document.getElementById("import-status").textContent =
          phase(s.progress.phase) + ": " + s.progress.done + " / " + s.progress.total;
        if (s.status === "finished") {
          if (s.result && s.result.refused && Object.keys(s.result.refused).length) {
            window.location.reload();
          } else {
            window.location = box.dataset.inboxUrl;
          }
        } else if (s.status === "failed") {
          var refused = document.getElementById("import-refused");
          refused.textContent = s.refused; refused.hidden = false;
        } else {
          window.setTimeout(poll, 1000);
        }
      });
  }
  window.setTimeout(poll, 500);
}());
