/* Nothing typed is lost on the factsheet page: while the form holds unsaved changes the workflow actions are
   disabled (they would leave the page and discard them) and leaving the page asks first. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("factsheet_form");
    if (!form) return;
    const actions = document.querySelectorAll("button[form='workflow-form']");
    const hint = document.getElementById("workflow-unsaved");
    let dirty = false;
    let leaving = false;

    function markDirty() {
      if (dirty) return;
      dirty = true;
      actions.forEach((button) => {
        button.disabled = true;
        button.title = "Save your changes first";
      });
      if (hint) hint.hidden = false;
    }

    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    document.addEventListener("formset:added", markDirty);
    document.addEventListener("formset:removed", markDirty);
    // A form shown again with errors holds input that was not saved.
    if (form.querySelector(".errornote, .errorlist")) markDirty();
    form.addEventListener("submit", () => { leaving = true; });
    window.addEventListener("beforeunload", (event) => {
      if (dirty && !leaving) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });
})();
