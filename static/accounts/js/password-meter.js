/* "Password complexity" meter of the activation and password reset pages.
 * The length and character-group rules are checked here as the user types; zxcvbn's score and the other rules
 * (not close to the email or names, not a common password) come from the server, which enforces all of them
 * again when the form is submitted. Without JavaScript the meter stays hidden and the page works the same. */
(function () {
  "use strict";
  var meter = document.getElementById("password-meter");
  if (!meter) { return; }
  var form = meter.closest("form");
  var password = form.querySelector("[data-password-meter=password]");
  var confirmation = form.querySelector("[data-password-meter=confirmation]");
  var label = document.getElementById("password-meter-label");
  var bar = document.getElementById("password-meter-bar");
  var problems = document.getElementById("password-meter-problems");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var localCodes = ["password_too_short", "password_too_few_groups"];
  var timer = null;
  var sequence = 0;

  function groups(value) {
    var found = {upper: false, lower: false, digit: false, special: false};
    for (var i = 0; i < value.length; i++) {
      var c = value.charAt(i);
      if (c >= "A" && c <= "Z") { found.upper = true; }
      else if (c >= "a" && c <= "z") { found.lower = true; }
      else if (c >= "0" && c <= "9") { found.digit = true; }
      else { found.special = true; }
    }
    return found;
  }

  function mark(rule, state) {
    var element = meter.querySelector("[data-rule=" + rule + "]");
    if (!element) { return; }
    element.classList.remove("fr-message--info", "fr-message--valid", "fr-message--error");
    element.classList.add(state === null ? "fr-message--info" : (state ? "fr-message--valid" : "fr-message--error"));
  }

  function checkLocal() {
    var value = password.value;
    var found = groups(value);
    var count = 0;
    var names = ["upper", "lower", "digit", "special"];
    names.forEach(function (name) { if (found[name]) { count += 1; } });
    names.forEach(function (name) {
      // A missing group is an error only while fewer than 3 groups are there.
      mark(name, !value ? null : (found[name] ? true : (count >= 3 ? null : false)));
    });
    mark("length", value ? value.length >= 12 : null);
    mark("groups", value ? count >= 3 : null);
    mark("match", confirmation && confirmation.value ? confirmation.value === value : null);
  }

  function showServer(answer) {
    bar.value = answer.score;
    label.textContent = answer.label;
    problems.textContent = "";
    (answer.problems || []).forEach(function (problem) {
      if (localCodes.indexOf(problem.code) !== -1) { return; }
      var p = document.createElement("p");
      p.className = "fr-message fr-message--error";
      p.textContent = problem.message;
      problems.appendChild(p);
    });
  }

  function askServer() {
    var value = password.value;
    var mine = ++sequence;
    if (!value) {
      bar.value = 0; label.textContent = ""; problems.textContent = "";
      return;
    }
    var body = new URLSearchParams();
    body.append("password", value);
    body.append("email", meter.dataset.email || "");
    body.append("first_name", meter.dataset.firstName || "");
    body.append("last_name", meter.dataset.lastName || "");
    fetch(meter.dataset.strengthUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrf ? csrf.value : ""}
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (answer && mine === sequence) { showServer(answer); }
    }).catch(function () { /* The meter is a help: the server checks everything on submit. */ });
  }

  function onInput() {
    checkLocal();
    window.clearTimeout(timer);
    timer = window.setTimeout(askServer, 250);
  }

  meter.hidden = false;
  password.addEventListener("input", onInput);
  if (confirmation) { confirmation.addEventListener("input", checkLocal); }
  checkLocal();
})();
