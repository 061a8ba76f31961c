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

  // The allowlist of factsheets/richtext.py: the editor shows nothing else, whatever the textarea holds.
  const ALLOWED = {
    P: [], UL: [], OL: ["class"], LI: [], STRONG: [], EM: [], B: [], I: [], SUP: [], BR: [], A: ["href", "title"],
    SPAN: ["lang"],
  };
  const DROPPED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "OBJECT", "EMBED", "NOSCRIPT", "SVG", "MATH"]);
  const SAFE_URL = /^(https?:|mailto:)/i;

  function importNodes(nodes, target) {
    nodes.forEach((node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        target.appendChild(document.createTextNode(node.data));
      } else if (node.nodeType === Node.ELEMENT_NODE && !DROPPED.has(node.nodeName.toUpperCase())) {
        const name = node.nodeName.toUpperCase();
        if (Object.prototype.hasOwnProperty.call(ALLOWED, name)) {
          const copy = document.createElement(name.toLowerCase());
          ALLOWED[name].forEach((attr) => {
            const value = node.getAttribute(attr);
            if (value !== null && (attr !== "href" || SAFE_URL.test(value.trim()))) copy.setAttribute(attr, value);
          });
          importNodes(Array.from(node.childNodes), copy);
          target.appendChild(copy);
        } else {
          importNodes(Array.from(node.childNodes), target);  // unknown element: keep its text only
        }
      }
    });
  }

  // Never assign the textarea's raw value to innerHTML: parse it in an inert document (no script runs, no
  // image loads there) and copy only allowlisted elements and attributes into the page.
  function showHTML(area, html) {
    const parsed = new DOMParser().parseFromString(html, "text/html");
    const fragment = document.createDocumentFragment();
    importNodes(Array.from(parsed.body.childNodes), fragment);
    area.replaceChildren(fragment);
  }

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
    showHTML(area, textarea.value);
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
          if (!showing) showHTML(area, textarea.value); else sync();
          return;
        }
        area.focus();
        if (command === "createLink") {
          const url = window.prompt("Link address (https://…)", "https://");
          if (url && /^(https?:|mailto:)/i.test(url)) document.execCommand("createLink", false, url);
        } else if (command === "footnote") {
          const key = window.prompt("Footnote key (lowercase letters, digits and -)", "");
          if (key && /^[a-z0-9][a-z0-9-]*$/.test(key)) {
            document.execCommand("insertText", false, "[^" + key + "]");
          } else if (key) {
            window.alert("“" + key + "” cannot be a footnote key: use lowercase letters, digits and hyphens, e.g. source-2023. Nothing was inserted.");
          }
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
    textarea.addEventListener("input", () => { showHTML(area, textarea.value); });
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
