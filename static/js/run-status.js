// Progressive enhancement of the run status page: poll the status and update the live region;
// reload once the run has finished. Without JavaScript the "Check again" link does the same.
(function () {
  "use strict";
  var region = document.getElementById("run-status");
  if (!region || region.getAttribute("data-finished") === "true" || !window.fetch) {
    return;
  }
  var stage = document.getElementById("run-stage");
  var url = region.getAttribute("data-status-url");
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (data.finished) { window.location.reload(); return; }
        if (stage && stage.textContent !== data.text) { stage.textContent = data.text; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { /* the link still works */ });
  }
  window.setTimeout(poll, 1000);
})();
