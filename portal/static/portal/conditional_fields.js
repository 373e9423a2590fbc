// Shows only the fields that belong to the choice made (destination kind, called kind, on-fail...).
// Works on stacked forms and on each row of tabular inlines; fields with an error stay visible.
"use strict";
(function () {
  var DESTINATION = {
    user: ["destination_user"],
    phone: ["destination_number"],
    sip: ["destination_sip_trunk", "destination_sip_number"],
    menu: ["destination_menu"],
    group: ["destination_group"],
    message: ["message_text", "message_voice", "message_audio"],
    voicemail: ["message_text"]
  };
  var CONTROLS = {
    destination_kind: DESTINATION,
    called_kind: { number: ["called_number"], user: ["called_user"], pattern: ["called_pattern"], any: [], any_user: [] },
    kind: { user: ["user"], phone: ["number"] },
    continue_on_fail: { "true": ["on_fail_kind", "on_fail_number", "on_fail_text"], "false": [] },
    on_fail_kind: { phone: ["on_fail_number"], message: ["on_fail_text"], voicemail: ["on_fail_text"] },
    record: { "true": ["record_format"], "false": [] }
  };

  function baseName(name) { return name.slice(name.lastIndexOf("-") + 1); }

  function fieldsOf(map) {
    var all = [];
    Object.keys(map).forEach(function (key) { map[key].forEach(function (f) { if (all.indexOf(f) < 0) { all.push(f); } }); });
    return all;
  }

  function scopeOf(control) {
    return control.closest("tr.form-row, .inline-related:not(.tabular)") || control.form;
  }

  function apply(control) {
    var map = CONTROLS[baseName(control.name)];
    if (!map) { return; }
    var scope = scopeOf(control);
    if (!scope) { return; }
    var value = control.type === "checkbox" ? String(control.checked) : control.value;
    var shown = map[value] || [];
    var hiddenByParent = control.closest("[data-cf-hidden='true']") !== null;
    fieldsOf(map).forEach(function (field) {
      scope.querySelectorAll(".field-" + field).forEach(function (el) {
        if (scope === control.form && el.closest(".inline-group")) { return; }  // an inline row's own field
        if (el.classList.contains("form-row") && el.querySelector(".fieldBox")) { return; }  // hide the box only
        var show = !hiddenByParent && (shown.indexOf(field) >= 0 || el.querySelector(".errorlist li") !== null);
        if (el.tagName === "TD") { el.style.visibility = show ? "" : "hidden"; } else { el.style.display = show ? "" : "none"; }
        el.dataset.cfHidden = show ? "false" : "true";
        el.querySelectorAll("select, input[type=checkbox]").forEach(function (inner) {
          if (CONTROLS[baseName(inner.name || "")]) { apply(inner); }  // e.g. on-fail kind inside "continue on fail"
        });
      });
    });
  }

  function tidyRows(scope) {
    // A row of several fields disappears when all of its fields are hidden.
    scope.querySelectorAll(".form-row").forEach(function (row) {
      var boxes = row.querySelectorAll(".fieldBox");
      if (!boxes.length) { return; }
      var allHidden = Array.prototype.every.call(boxes, function (box) { return box.style.display === "none"; });
      row.style.display = allHidden ? "none" : "";
    });
  }

  function applyAll(root) {
    root.querySelectorAll("select, input[type=checkbox]").forEach(function (control) {
      if (control.name && CONTROLS[baseName(control.name)] && control.name.indexOf("__prefix__") < 0) { apply(control); }
    });
    tidyRows(document);
  }

  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control.name && CONTROLS[baseName(control.name)]) { apply(control); tidyRows(document); }
  });
  document.addEventListener("formset:added", function (event) { applyAll(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { applyAll(document); });
  } else { applyAll(document); }
})();
