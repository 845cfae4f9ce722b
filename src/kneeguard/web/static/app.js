/* kneeguard: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* The knee drawing: each region becomes a checkbox kept in step with the list. */
  function upgradeKnee(root) {
    var form = root.closest("form");
    if (!form) { return; }
    root.removeAttribute("aria-hidden");
    root.classList.add("live");
    root.querySelectorAll("figure").forEach(function (fig) {
      var svg = fig.querySelector("svg");
      var caption = fig.querySelector("figcaption");
      svg.setAttribute("role", "group");
      svg.setAttribute("aria-label", "Knee drawing, " + caption.textContent.split(" (")[0].toLowerCase());
      caption.setAttribute("aria-hidden", "true");
    });
    function box(id) {
      return form.querySelector('input[type=checkbox][name="pain_locations"][value="' + id + '"]');
    }
    function sync() {
      root.querySelectorAll(".region").forEach(function (region) {
        var input = box(region.dataset.location);
        var on = !!(input && input.checked);
        region.setAttribute("aria-checked", on ? "true" : "false");
        region.classList.toggle("selected", on);
      });
    }
    root.querySelectorAll(".region").forEach(function (region) {
      var view = region.closest("figure").querySelector("figcaption").textContent.split(" (")[0].toLowerCase();
      region.setAttribute("role", "checkbox");
      region.setAttribute("tabindex", "0");
      region.setAttribute("aria-label", region.dataset.label + " (" + view + ")");
      function toggle() {
        var input = box(region.dataset.location);
        if (!input) { return; }
        input.checked = !input.checked;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
      region.addEventListener("click", toggle);
      region.addEventListener("keydown", function (event) {
        if (event.key === " " || event.key === "Enter" || event.key === "Spacebar") {
          event.preventDefault();
          toggle();
        }
      });
    });
    form.addEventListener("change", sync);
    sync();
  }

  /* Follow-up questions: show them only when the earlier answer makes them relevant. */
  function valueOf(form, field) {
    var inputs = form.querySelectorAll('[name="' + field + '"]');
    if (!inputs.length) { return undefined; }
    var list = [];
    var single = null;
    inputs.forEach(function (input) {
      if (input.type === "checkbox") { if (input.checked) { list.push(input.value); } }
      else if (input.type === "radio") { if (input.checked && input.value !== "") { single = input.value; } }
      else if (input.value.trim() !== "") { single = input.value.trim().replace(",", "."); }
    });
    if (inputs[0].type === "checkbox") { return list.length ? list : null; }
    if (single === "yes") { return true; }
    if (single === "no") { return false; }
    if (single !== null && !isNaN(Number(single))) { return Number(single); }
    return single;
  }
  function test(form, node) {
    var result = true;
    Object.keys(node).forEach(function (key) {
      var spec = node[key];
      var part;
      if (key === "all") { part = spec.every(function (n) { return test(form, n) !== false; }) ? null : false; }
      else if (key === "any") { part = spec.some(function (n) { return test(form, n) !== false; }) ? null : false; }
      else if (key === "not") { part = test(form, spec) === true ? false : null; }
      else {
        var value = valueOf(form, key);
        if (value === undefined || value === null) { part = null; }
        else {
          part = null;
          Object.keys(spec).forEach(function (op) {
            var want = spec[op];
            var ok = null;
            if (op === "is") { ok = value === want; }
            else if (op === "in") { ok = want.indexOf(value) >= 0; }
            else if (op === "gt") { ok = value > want; }
            else if (op === "ge") { ok = value >= want; }
            else if (op === "lt") { ok = value < want; }
            else if (op === "le") { ok = value <= want; }
            else if (op === "contains") { ok = value.indexOf(want) >= 0; }
            else if (op === "contains_any") { ok = want.some(function (w) { return value.indexOf(w) >= 0; }); }
            if (ok === false) { part = false; }
          });
        }
      }
      if (part === false) { result = false; }
    });
    return result === false ? false : null;
  }
  function followUps(form) {
    var questions = form.querySelectorAll(".question[data-show-if]");
    if (!questions.length) { return; }
    function update() {
      questions.forEach(function (q) {
        var node;
        try { node = JSON.parse(q.dataset.showIf); } catch (e) { return; }
        q.hidden = test(form, node) === false;
      });
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  /* Import: drop files on the zone, upload with a progress bar, then follow the job. */
  function upgradeImport(form) {
    var zone = form.querySelector(".dropzone");
    var input = form.querySelector('input[type=file]');
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    if (!zone || !input) { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        if (status) { status.textContent = input.files.length + " file(s) chosen."; }
      }
    });
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData || !input.files.length) { return; }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      if (bar) { bar.hidden = false; bar.value = 0; }
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && bar) { bar.value = Math.round(100 * e.loaded / e.total); }
        if (status) { status.textContent = "Uploading: " + Math.round(100 * e.loaded / (e.total || 1)) + "%"; }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400 && xhr.responseURL) { window.location.assign(xhr.responseURL); return; }
        document.open(); document.write(xhr.responseText); document.close();
      });
      xhr.addEventListener("error", function () {
        if (status) { status.textContent = "The upload failed: is the kneeguard server still running?"; }
      });
      xhr.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-knee]").forEach(upgradeKnee);
    document.querySelectorAll("form.wizard").forEach(followUps);
    document.querySelectorAll("form[data-import]").forEach(upgradeImport);
    var alert = document.getElementById("form-alert");
    if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
  });
}());
