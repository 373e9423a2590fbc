// "What changes?": posts the page's form, unsaved, to the replay beside it and shows the answer
// under the buttons (routing/admin/what_if.py). Nothing is saved.
(function () {
  "use strict";
  function ask(box) {
    var form = box.closest("form");
    var answer = box.querySelector(".what-if-answer");
    var button = box.querySelector(".what-if-button");
    button.disabled = true;
    answer.textContent = "…";
    fetch(box.dataset.whatIfUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {"X-Requested-With": "XMLHttpRequest"},
    })
      .then(function (response) { return response.text(); })
      .then(function (html) { answer.innerHTML = html; })
      .catch(function () { answer.textContent = "?"; })
      .finally(function () { button.disabled = false; });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".what-if-button");
    if (button) {
      event.preventDefault();
      ask(button.closest(".what-if"));
    }
  });
})();
