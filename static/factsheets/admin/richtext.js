/* A small rich-text editor for the factsheet admin: the allowlisted markup only (paragraphs, lists,
   bold, italic, links, superscript, footnote calls). The server sanitises whatever arrives. */
(function () {
  "use strict";
  const BUTTONS = [
    ["bold", "B", "Bold"],
    ["italic", "I", "Italic"],
    ["superscript", "x²", "Superscript"],
    ["insertUnorderedList", "• List", "Bulleted list"],
    ["insertOrderedList", "1. List", "Numbered list"],
    ["createLink", "Link", "Link the selection"],
    ["unlink", "Unlink", "Remove the link"],
    ["footnote", "[^] Footnote", "Call a footnote here (its key from the Footnotes below)"],
    ["removeFormat", "Clear", "Remove bold, italic and superscript"],
    ["source", "HTML", "Show the HTML"],
  ];

  function setup(textarea) {
    if (textarea.dataset.richtextReady || textarea.closest(".empty-form")) return;
    textarea.dataset.richtextReady = "1";
    const wrapper = document.createElement("div");
    wrapper.className = "richtext-editor";
    const toolbar = document.createElement("div");
    toolbar.className = "richtext-toolbar";
    toolbar.setAttribute("role", "toolbar");
    const area = document.createElement("div");
    area.className = "richtext-area";
    area.contentEditable = textarea.readOnly || textarea.disabled ? "false" : "true";
    area.innerHTML = textarea.value;
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (textarea.id) area.setAttribute("aria-labelledby", textarea.id + "_label");
    const sync = () => { textarea.value = area.innerHTML; };
    area.addEventListener("input", sync);
    area.addEventListener("blur", sync);

    BUTTONS.forEach(([command, label, title]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.title = title;
      button.dataset.command = command;
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("click", () => {
        if (command === "source") {
          const showing = wrapper.classList.toggle("richtext-source");
          if (!showing) area.innerHTML = textarea.value; else sync();
          return;
        }
        area.focus();
        if (command === "createLink") {
          const url = window.prompt("Link address (https://…)", "https://");
          if (url && /^(https?:|mailto:)/i.test(url)) document.execCommand("createLink", false, url);
        } else if (command === "footnote") {
          const key = window.prompt("Footnote key (lowercase letters, digits and -)", "");
          if (key && /^[a-z0-9][a-z0-9-]*$/.test(key)) document.execCommand("insertText", false, "[^" + key + "]");
        } else {
          document.execCommand(command, false, null);
        }
        sync();
      });
      toolbar.appendChild(button);
    });
    textarea.parentNode.insertBefore(wrapper, textarea);
    wrapper.appendChild(toolbar);
    wrapper.appendChild(area);
    wrapper.appendChild(textarea);
    textarea.addEventListener("input", () => { area.innerHTML = textarea.value; });
  }

  function setupAll(root) {
    root.querySelectorAll("textarea.richtext").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", () => {
    try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* older browsers */ }
    setupAll(document);
  });
  document.addEventListener("formset:added", (event) => setupAll(event.target));
})();
