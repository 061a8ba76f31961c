/* The national validation page: "I confirm this factsheet" is offered only while no section has a correction
   proposed (the server refuses the contradiction anyway; this says so before sending). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".validation-form");
    var confirm = form && form.querySelector("button[value=confirmed]");
    var note = document.getElementById("verdict-note");
    if (!confirm || !note) { return; }
    function update() {
      var correcting = form.querySelector("input[type=radio][value=correction]:checked") !== null;
      confirm.disabled = correcting;
      note.classList.toggle("attention", correcting);
    }
    form.addEventListener("change", update);
    update();
  });
})();
