// mdguide serve --edit: the editor inside the live preview.
//
// Every part of the guide the page marks with data-edit="file#pointer" gets an Edit button; the
// bar at the top holds undo, redo, the Changes panel and the New edition form.  The page reloads
// when the preview is rebuilt (after a save, or any change on disk), unless a form has unsaved edits.

import { boot, call } from "./api.js";
import { firstWords, h, hidden } from "./dom.js";
import { NOUNS, openEditor } from "./blocks.js";
import { afterSaves, openForms } from "./form.js";
import { barError, barErrorRegion, newEdition, records, showChanges, undoRedo } from "./panels.js";
import { announce, statusRegion, takeAfterReload } from "./status.js";

function kindOf(element) {
  if (element.classList.contains("criterion")) return "criterion";
  let first = element.firstElementChild;
  // A part a later edition added is shown after its "New in 1.1" label, in one division.
  if (first && first.matches(".edition-marked")) first = first.lastElementChild;
  if (!first) return "part";
  if (first.matches("figure.pull-quote")) return NOUNS["pull-quote"];
  if (first.matches(".case-study")) return NOUNS["case-study"];
  if (first.matches("figure.figure")) return NOUNS.figure;
  if (first.matches(".extraction-gap")) return NOUNS["extraction-gap"];
  if (first.matches(".editorial")) return NOUNS["editorial-note"];
  if (first.matches(".person-specification")) return NOUNS["person-specification"];
  if (first.matches("ul, ol")) return NOUNS.list;
  if (element.dataset.edit.endsWith("#/edition")) return "edition";
  return element.dataset.edit.includes("/groups/") ? "group" : NOUNS.paragraph;
}

function addEditButtons() {
  for (const element of document.querySelectorAll("[data-edit]")) {
    const name = `${kindOf(element)}: ${firstWords(element.textContent)}`;
    const button = h("button", { type: "button", class: "mdg-edit" }, "Edit", hidden(` ${name}`));
    button.addEventListener("click", () => {
      if (element.hidden) return;
      openEditor(element);
    });
    element.prepend(button);
  }
}

function bar() {
  const undo = h("button", { type: "button", class: "mdg-button mdg-secondary", disabled: true }, "Undo");
  const redo = h("button", { type: "button", class: "mdg-button mdg-secondary", disabled: true }, "Redo");
  const show = (button, verb, label) => {
    button.disabled = !label;
    button.textContent = label ? `${verb}: ${label}` : verb;
  };
  const history = (state) => {
    show(undo, "Undo", state.undo);
    show(redo, "Redo", state.redo);
  };
  undo.addEventListener("click", async () => { const state = await undoRedo("undo"); if (state) history(state); });
  redo.addEventListener("click", async () => { const state = await undoRedo("redo"); if (state) history(state); });
  const changes = h("button", { type: "button", class: "mdg-button mdg-secondary" }, "Changes since the last edition");
  changes.addEventListener("click", () => showChanges(changes));
  const edition = h("button", { type: "button", class: "mdg-button mdg-secondary" }, "New edition…");
  edition.addEventListener("click", () => newEdition(edition));
  const resources = h("button", { type: "button", class: "mdg-button mdg-secondary" }, "Resources…");
  resources.addEventListener("click", () => records(resources, {
    title: "Resources", relpath: "resources.json", key: "resources", definition: "Resource", noun: "resource",
    describe: (r) => `${r.id}: ${r.url}`,
    intro: "The web addresses the guide cites. To add one, cite it from a text (Cite a resource…).",
  }));
  const readers = h("button", { type: "button", class: "mdg-button mdg-secondary" }, "Readers…");
  readers.addEventListener("click", () => records(readers, {
    title: "Readers and their handouts", relpath: "roles.json", key: "roles", definition: "Role", noun: "reader",
    describe: (r) => `${r.editorial_name} (${r.id})`,
    intro: "Which items each reader’s handout gets is ticked on each item: its Edit button, then Handouts.",
  }));
  const toggle = h("button", { type: "button", class: "mdg-button mdg-secondary", "aria-pressed": "true" }, "Edit buttons");
  toggle.addEventListener("click", () => {
    const on = toggle.getAttribute("aria-pressed") !== "true";
    toggle.setAttribute("aria-pressed", String(on));
    document.body.classList.toggle("mdg-hide-edit", !on);
  });
  const region = h("section", { id: "mdg-editor", class: "mdg-bar", "aria-label": "Editor" },
    h("div", { class: "mdg-bar-row" },
      h("p", { class: "mdg-bar-title" }, "Editing"),
      undo, redo, changes, edition, resources, readers, toggle),
    statusRegion(), barErrorRegion());
  call("GET", "state").then((answer) => {
    if (answer.ok) history(answer.data);
    else barError(answer.data.error);
  });
  return region;
}

function listen() {
  let pending = false;
  const events = new EventSource(`${boot.events}?since=${boot.generation}`);
  // A save's own rebuild may be announced before its answer: decide once every answer is handled.
  events.onmessage = (event) => afterSaves(() => rebuilt(event));
  const rebuilt = (event) => {
    if (event.data === String(boot.generation)) return;
    const unsaved = [...openForms].some((form) => form.dirty && !form.saved);
    if (!unsaved) {
      events.close();
      window.location.reload();
    } else if (!pending) {
      pending = true;
      announce("The guide changed on disk. Save or cancel your edit, then reload the page to see it.");
      document.getElementById("mdg-editor").querySelector(".mdg-bar-row").append(
        h("button", { type: "button", class: "mdg-button", onclick: () => window.location.reload() }, "Reload the page"));
    }
  };
}

function start() {
  const skip = document.querySelector(".skip-link");
  const region = bar();
  if (skip) skip.after(region);
  else document.body.prepend(region);
  addEditButtons();
  listen();
  const after = takeAfterReload();
  if (after) {
    const seconds = after.startedAt ? (Date.now() - after.startedAt) / 1000 : null;
    window.mdguideLastSave = { seconds, message: after.message };
    const target = after.focus && document.querySelector(`[data-edit="${CSS.escape(after.focus)}"] > .mdg-edit`);
    if (target) {
      target.scrollIntoView({ block: "center" });
      target.focus();
    }
    const warnings = (after.warnings || []).map((w) => ` Warning: ${w.text}`).join("");
    announce(`${after.message}${seconds !== null ? ` (updated in ${seconds.toFixed(2)} s)` : ""}${warnings}`);
  }
}

if (boot) start();
