// The "Set up a hotline" page: each key row shows only the fields of what the key does, and the
// "when closed" part only the message or the phone number. Fields with an error stay visible.
"use strict";
(function () {
  function hasError(element) { return !!element.querySelector(".errorlist"); }

  function showKeyRow(row) {
    var kind = row.querySelector("select[name$='-kind']").value;
    row.querySelectorAll(".key-field").forEach(function (field) {
      var wanted = field.dataset.kinds.split(" ").indexOf(kind) >= 0;
      field.hidden = !wanted && !hasError(field);
    });
  }

  function showClosed() {
    var kind = document.querySelector("select[name='closed_kind']");
    if (!kind) { return; }
    var text = document.querySelector(".field-closed_text");
    var number = document.querySelector(".field-closed_number");
    text.hidden = kind.value === "phone" && !hasError(text);
    number.hidden = kind.value !== "phone" && !hasError(number);
  }

  function start() {
    document.querySelectorAll("tr.hotline-key").forEach(function (row) {
      showKeyRow(row);
      row.querySelector("select[name$='-kind']").addEventListener("change", function () { showKeyRow(row); });
    });
    var closed = document.querySelector("select[name='closed_kind']");
    if (closed) { showClosed(); closed.addEventListener("change", showClosed); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
