/* The factsheet page: give sections and policies stable anchors (#section-introduction, #policy-12) so that
   comments and carry-forward issues link to them, and show each open comment beside the part it is about. */
(function () {
  "use strict";
  function anchorTargets() {
    document.querySelectorAll("fieldset[class*='section-']").forEach((fieldset) => {
      const kind = Array.from(fieldset.classList).find((c) => c.startsWith("section-"));
      if (kind && !document.getElementById(kind)) fieldset.id = kind;
    });
    document.querySelectorAll(".inline-related").forEach((inline) => {
      const id = inline.querySelector("input[type=hidden][name^='policies-'][name$='-id']");
      if (id && id.value) inline.id = "policy-" + id.value;
    });
  }

  function showBeside() {
    document.querySelectorAll(".open-comment[data-comment-target]").forEach((comment) => {
      const target = document.getElementById(comment.dataset.commentTarget);
      if (!target || !comment.dataset.commentTarget) return;
      const note = document.createElement("aside");
      note.className = "comment-beside";
      note.setAttribute("aria-label", "Open review comment");
      const meta = comment.querySelector(".comment-meta");
      const text = comment.querySelector("blockquote");
      const title = document.createElement("strong");
      title.textContent = "Open comment: ";
      note.appendChild(title);
      if (meta) note.appendChild(document.createTextNode(meta.textContent.trim()));
      if (text) note.appendChild(text.cloneNode(true));
      const back = document.createElement("a");
      back.href = "#open-comments";
      back.textContent = "All open comments";
      note.appendChild(back);
      const heading = target.querySelector("h2, h3, legend");
      if (heading && heading.parentNode === target) heading.after(note); else target.prepend(note);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    anchorTargets();
    showBeside();
    if (window.location.hash) {
      const target = document.getElementById(window.location.hash.slice(1));
      if (target) target.scrollIntoView();
    }
  });
})();
