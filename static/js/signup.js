// Progressive enhancement of the signup pages; every page works without it.
(function () {
  "use strict";
  // Step 1 without SIRET: show the expected format of the chosen identifier type under "Identifiant".
  var hintsNode = document.getElementById("identifier-format-hints");
  var typeSelect = document.querySelector("[data-format-hints-target]");
  if (hintsNode && typeSelect) {
    var hints = JSON.parse(hintsNode.textContent);
    var target = document.getElementById(typeSelect.getAttribute("data-format-hints-target"));
    typeSelect.addEventListener("change", function () {
      if (target && hints[typeSelect.value]) { target.textContent = hints[typeSelect.value]; }
    });
  }
  // Step 2: "Non diffusible INSEE" masks the address fields.
  var nonDiffusible = document.querySelector("input[name='is_non_diffusible']");
  if (nonDiffusible) {
    var masked = document.querySelectorAll("[data-masked-when-non-diffusible]");
    var sync = function () {
      masked.forEach(function (input) {
        var group = input.closest(".fr-input-group, .fr-select-group");
        if (group) { group.hidden = nonDiffusible.checked; }
      });
    };
    nonDiffusible.addEventListener("change", sync);
    sync();
  }
  // Every signup form: a second click on "Valider" while the first is on its way sends nothing.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitted) { event.preventDefault(); return; }
      form.dataset.submitted = "1";
    });
  });
})();
