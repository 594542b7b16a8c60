// A calendar button beside every day's field. The fields are text, typed day first: the
// browser's own date field follows the browser's language, not the page's (entry/_fields.html).
// The button opens the browser's calendar on a hidden date field and writes the picked day back
// the page's way. Without scripts the text field works alone, as before.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  // As ledger.days.parse_day reads a day, with a four-digit year: 31-12-2026, 1/2/2026, 2026-12-31.
  var DAY_FIRST = /^(\d{1,2})\s*[-\/., ]\s*(\d{1,2})\s*[-\/., ]\s*(\d{4})$/;
  var YEAR_FIRST = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

  function two(number) { return (number < 10 ? "0" : "") + number; }

  // The field's day as a date field holds it (2026-12-31); "" when it holds no real day.
  function isoDay(text) {
    var typed = text.trim(), found = DAY_FIRST.exec(typed), year, month, day;
    if (found) {
      year = found[3]; month = +found[2]; day = +found[1];
    } else if ((found = YEAR_FIRST.exec(typed))) {
      year = found[1]; month = +found[2]; day = +found[3];
    } else {
      return "";
    }
    var checked = new Date(Date.UTC(+year, month - 1, day));  // 31-02 rolls over to March
    if (checked.getUTCMonth() !== month - 1 || checked.getUTCDate() !== day) { return ""; }
    return year + "-" + two(month) + "-" + two(day);
  }

  function drawn(name, attributes) {
    var shape = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { shape.setAttribute(key, attributes[key]); });
    return shape;
  }

  // A calendar page, drawn here: no file to fetch, and the same on every system.
  function icon() {
    var svg = drawn("svg", { viewBox: "0 0 24 24", width: "20", height: "20", fill: "none",
      stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round",
      "aria-hidden": "true", focusable: "false" });
    svg.appendChild(drawn("rect", { x: "3", y: "5", width: "18", height: "16", rx: "2" }));
    svg.appendChild(drawn("path", { d: "M3 10h18M8 3v4M16 3v4M7 14h2M11 14h2M15 14h2M7 17h2M11 17h2" }));
    return svg;
  }

  function enhance(field) {
    var wrapper = document.createElement("span");
    var button = document.createElement("button");
    var picker = document.createElement("input");
    // The page's separator: the third character of dd-mm-jjjj or dd/mm/yyyy (app/i18n.py day_kind).
    var separator = (field.getAttribute("placeholder") || "dd-mm-jjjj").charAt(2);
    wrapper.className = "day-with-calendar";
    button.type = "button";
    button.className = "day-calendar";
    button.setAttribute("aria-label", field.getAttribute("data-calendar"));
    button.title = field.getAttribute("data-calendar");
    button.appendChild(icon());
    // Not display:none, or the browser will not open its calendar on it (app.css hides it).
    picker.type = "date";
    picker.className = "day-calendar-picker";
    picker.tabIndex = -1;
    picker.setAttribute("aria-hidden", "true");
    field.parentNode.insertBefore(wrapper, field);
    wrapper.appendChild(field);
    wrapper.appendChild(button);
    wrapper.appendChild(picker);

    button.addEventListener("click", function () {
      picker.value = isoDay(field.value);  // the calendar opens on the field's day
      try {
        picker.showPicker();
      } catch (error) {  // a browser without showPicker, or one that refuses it here
        picker.focus();
      }
    });
    picker.addEventListener("change", function () {
      var parts = picker.value.split("-");  // 2026-12-31; "" when the calendar was cleared
      if (parts.length !== 3) { return; }
      field.value = [parts[2], parts[1], parts[0]].join(separator);
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
      field.focus();
    });
  }

  function start() {
    document.querySelectorAll("input[data-calendar]").forEach(enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
