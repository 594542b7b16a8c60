// Polls a run's progress endpoint and updates its progress bar until the run has finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-run-progress]");
  if (!box) { return; }
  var url = box.getAttribute("data-run-progress");
  var bar = box.querySelector("progress");
  function field(name) { return box.querySelector('[data-field="' + name + '"]'); }
  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    field("status").textContent = data.status_label || data.status;
    field("done").textContent = data.done;
    field("total").textContent = data.total;
    var error = field("error");
    error.textContent = data.error || "";
    error.hidden = !data.error;
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) { show(data); }
        if (!data || !data.finished) { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
}());
