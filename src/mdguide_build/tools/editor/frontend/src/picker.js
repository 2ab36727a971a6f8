// The resource picker: cite an existing resource, or describe a new one to create with the save.

import { loadFile } from "./api.js";
import { h, uid } from "./dom.js";

// New resources described in this page, by id: a form saves them with the text that cites them
// (a resource nothing cites is refused by the validator, E304).
export const newResources = new Map();

function label(resource) {
  return resource.link_texts && resource.link_texts.length ? resource.link_texts[0] : resource.url;
}

let dialog;

/** Open the picker; resolves to the chosen (or new) resource's id, or null. */
export async function pickResource(opener) {
  const file = await loadFile("resources.json");
  const resources = [...file.value.resources, ...newResources.values()];
  return new Promise((resolve) => {
    if (dialog) dialog.remove();
    const titleId = uid("title");
    const countId = uid("count");
    const search = h("input", { type: "search", id: uid("search"), class: "mdg-input", autocomplete: "off", "aria-describedby": countId });
    const list = h("ul", { class: "mdg-picker-list" });
    const count = h("p", { id: countId, class: "mdg-hint", role: "status" });
    let result = null;
    const choose = (id) => {
      result = id;
      dialog.close();
    };
    const show = () => {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      const found = resources.filter((r) => words.every((w) => `${r.id} ${r.url} ${(r.link_texts || []).join(" ")}`.toLowerCase().includes(w)));
      list.replaceChildren(...found.slice(0, 60).map((r) =>
        h("li", {}, h("button", { type: "button", class: "mdg-choice", onclick: () => choose(r.id) },
          h("span", { class: "mdg-choice-id" }, r.id),
          h("span", { class: "mdg-choice-detail" }, `${label(r)} — ${r.url}`)))));
      count.textContent = found.length === 1 ? "1 resource matches." : `${found.length} resources match.`;
    };
    search.addEventListener("input", show);

    // A new resource: its id and the address as the guide prints it.
    const newId = h("input", { type: "text", id: uid("new-id"), class: "mdg-input", autocomplete: "off", spellcheck: "false" });
    const newUrl = h("input", { type: "url", id: uid("new-url"), class: "mdg-input", autocomplete: "off", spellcheck: "false" });
    const newError = h("p", { class: "mdg-field-error", id: uid("new-error"), hidden: true });
    newId.setAttribute("aria-describedby", newError.id);
    const create = () => {
      const id = newId.value.trim();
      const url = newUrl.value.trim();
      const problem = !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)
        ? "An id is lower-case letters, digits and single hyphens, e.g. gmc-good-medical-practice-2024."
        : resources.some((r) => r.id === id) ? `There is already a resource “${id}”: choose it from the list above.`
        : !/^https?:\/\/\S+$/.test(url) ? "Give the web address, starting with https:// (or http://)." : "";
      newError.hidden = !problem;
      newError.textContent = problem;
      newId.setAttribute("aria-invalid", problem ? "true" : "false");
      if (problem) {
        newId.focus();
        return;
      }
      newResources.set(id, { id, url });
      choose(id);
    };

    dialog = h("dialog", { class: "mdg-dialog", "aria-labelledby": titleId },
      h("h2", { id: titleId }, "Cite a resource"),
      h("p", { class: "mdg-hint" }, "The citation becomes a numbered note giving the resource’s address."),
      h("label", { for: search.id, class: "mdg-label" }, "Find a resource"),
      search, count, list,
      h("fieldset", { class: "mdg-fieldset" },
        h("legend", {}, "Or create a new resource"),
        h("label", { for: newId.id, class: "mdg-label" }, "Id (how texts cite it)"), newId, newError,
        h("label", { for: newUrl.id, class: "mdg-label" }, "Web address, as the guide prints it"), newUrl,
        h("button", { type: "button", class: "mdg-button", onclick: create }, "Create and cite")),
      h("div", { class: "mdg-actions" }, h("button", { type: "button", class: "mdg-button mdg-secondary", onclick: () => dialog.close() }, "Cancel")));
    dialog.addEventListener("close", () => {
      dialog.remove();
      dialog = null;
      if (opener) opener.focus();
      resolve(result);
    });
    document.getElementById("mdg-editor").append(dialog);
    show();
    dialog.showModal();
    search.focus();
  });
}
