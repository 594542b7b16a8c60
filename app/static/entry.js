// Entry forms, enhanced: the full form grows a row at a time. Without this script the form
// still works with its fixed rows; nothing here is needed to book.
(function () {
  "use strict";
  const refused = document.querySelector("form.entry [aria-invalid='true']");
  if (refused) refused.focus();
})();

(function () {
  "use strict";
  const button = document.querySelector("[data-add-row]");
  const count = document.querySelector("[data-row-count]");
  if (!button || !count) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    const rows = document.querySelectorAll("[data-posting-row]");
    const last = rows[rows.length - 1];
    const index = rows.length;
    const copy = last.cloneNode(true);
    copy.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    copy.querySelectorAll("label, input").forEach(function (node) {
      for (const attribute of ["for", "id", "name"]) {
        const value = node.getAttribute(attribute);
        if (value) node.setAttribute(attribute, value.replace(/-\d+$/, "-" + index));
      }
      if (node.tagName === "LABEL") node.textContent = node.textContent.replace(/\d+$/, String(index + 1));
      if (node.tagName === "INPUT") { node.value = ""; node.removeAttribute("aria-invalid"); node.removeAttribute("aria-describedby"); }
    });
    last.after(copy);
    count.value = String(index + 1);
    copy.querySelector("input").focus();
  });
})();
