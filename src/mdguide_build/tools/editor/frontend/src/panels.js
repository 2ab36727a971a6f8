// The editor's bar: undo and redo of this session's saves, the Changes panel, the New edition form.

import { call, loadFile } from "./api.js";
import { h, hidden, uid } from "./dom.js";
import { Form, diffOps, openForms, sending } from "./form.js";
import { objectFields } from "./schemaform.js";
import { afterReload, announce } from "./status.js";

/** A modal dialog in the editor's region; ``build(dialog)`` fills it. Focus returns to ``opener``. */
export function dialog(title, opener, build) {
  const titleId = uid("title");
  const box = h("dialog", { class: "mdg-dialog mdg-wide", "aria-labelledby": titleId }, h("h2", { id: titleId }, title));
  const close = h("button", { type: "button", class: "mdg-button mdg-secondary", onclick: () => box.close() }, "Close");
  box.addEventListener("close", () => {
    box.remove();
    opener.focus();
  });
  document.getElementById("mdg-editor").append(box);
  build(box, close);
  box.showModal();
  return box;
}

function segments(change) {
  // A word diff: deleted and inserted words marked, and said, for screen readers too.
  return h("p", { class: "mdg-words" }, change.diff.map(([op, text]) => {
    if (op === "=") return `${text} `;
    const tag = op === "-" ? "del" : "ins";
    return [h(tag, {}, h("span", { class: "mdg-visually-hidden" }, op === "-" ? "deleted: " : "inserted: "), text), " "];
  }));
}

function changeItem(change) {
  const detail = [];
  if (change.diff.length) detail.push(segments(change));
  else {
    if (change.old !== null) detail.push(h("p", {}, h("span", { class: "mdg-was" }, change.new !== null ? "Was: " : "Removed: "), change.old));
    if (change.new !== null) detail.push(h("p", {}, h("span", { class: "mdg-was" }, change.old !== null ? "Now: " : "Added: "), change.new));
  }
  return h("li", {}, h("p", { class: "mdg-headline" }, change.headline), detail);
}

export async function showChanges(opener) {
  const answer = await call("GET", "diff");
  dialog("Changes since the last edition", opener, (box, close) => {
    if (!answer.ok) {
      box.append(h("p", { role: "alert" }, answer.data.error), answer.data.hint ? h("p", {}, `Hint: ${answer.data.hint}`) : null);
    } else {
      const data = answer.data;
      box.append(h("p", {}, data.summary));
      if (data.changes.length) box.append(h("ol", { class: "mdg-changes" }, data.changes.map(changeItem)));
    }
    box.append(h("div", { class: "mdg-actions" }, close));
  });
}

export async function newEdition(opener) {
  const [answer, guide] = await Promise.all([call("GET", "diff"), loadFile("guide.json")]);
  const draft = answer.ok ? answer.data.draft : { version: "", date: "", note: "" };
  dialog("New edition", opener, (box, close) => {
    const current = guide.value.edition;
    box.append(h("p", {}, `This edition is ${current.version} (${current.date}). The new one becomes the current edition, and ${current.version} moves into the history.`));
    if (!answer.ok) box.append(h("p", {}, `No draft of the note: ${answer.data.error}`));
    const holder = h("div");
    box.append(holder);
    // The form reuses the page's forms: fields, problems next to fields, the summary.
    const form = new Form({ title: "The new edition", relpath: "guide.json", pointer: "/edition", file: guide, replaces: [], after: holder });
    form.el.querySelector(".mdg-actions .mdg-secondary").remove();
    const version = form.line(form.body, { label: "Version", pointer: () => "/edition/version", value: draft.version, hint: "Two or three numbers with dots, higher than this edition’s, e.g. 1.1." });
    const date = form.line(form.body, { label: "Date", pointer: () => "/edition/date", value: draft.date, hint: "Year and month, e.g. 2025-03, or a full date." });
    const note = form.line(form.body, {
      label: "Change note (public, editorial)", pointer: () => "/edition/note", value: draft.note, multiline: true, optional: true,
      hint: "Drafted from the changes since the last edition: rewrite it as a short note in plain words.",
    });
    form.saveButton.textContent = "Publish this edition";
    box.addEventListener("close", () => openForms.delete(form));
    form.save = async () => {
      form.showProblems([]);
      const startedAt = Date.now();
      const request = call("POST", "edition", {
        body: { base: Form.base("guide.json", guide), version: version(), date: date(), note: note() ?? "" },
      });
      await sending(request, (result) => {
        if (result.ok && result.data.saved) {
          afterReload({ focus: "guide.json#/edition", message: `${result.data.message} The preview shows it.`, startedAt });
          announce(`${result.data.message} Updating the preview…`);
          form.saved = true;
          box.close();
        } else form.showProblems(result.data.problems || [], result.data);
      });
    };
    box.append(h("div", { class: "mdg-actions" }, close));
    requestAnimationFrame(() => form.body.querySelector("input").focus());
  });
}

export async function undoRedo(which) {
  let done = null;
  await sending(call("POST", which, { body: {} }), (answer) => {
    if (answer.ok && answer.data.saved) {
      afterReload({ focus: null, message: `${answer.data.message} The preview shows it.`, startedAt: Date.now() });
      announce(`${answer.data.message} Updating the preview…`);
      done = answer.data;
    } else barError(answer.data.error + (answer.data.hint ? ` (${answer.data.hint})` : ""));
  });
  return done;
}

let errorRegion;

export function barErrorRegion() {
  if (!errorRegion) errorRegion = h("p", { class: "mdg-bar-error", role: "alert" });
  return errorRegion;
}

export function barError(message) {
  barErrorRegion().textContent = message;
}

/**
 * A list of records (resources, readers) with an Edit button each; the form is made from the
 * file's JSON Schema, so every field of the model can be edited.
 */
export async function records(opener, { title, relpath, key, definition, noun, describe, intro }) {
  const file = await loadFile(relpath);
  dialog(title, opener, (box, close) => {
    if (intro) box.append(h("p", { class: "mdg-hint" }, intro));
    const list = h("ul", { class: "mdg-records" });
    file.value[key].forEach((item, i) => {
      const edit = h("button", { type: "button", class: "mdg-tool" }, "Edit", hidden(` ${noun} ${item.id}`));
      edit.addEventListener("click", () => {
        const pointer = `/${key}/${i}`;
        const form = new Form({ title: `Edit ${noun} ${item.id}`, relpath, pointer, file, replaces: [list] });
        form.returnFocus = edit;
        const get = objectFields(form, form.body, file.schema, file.schema.$defs[definition], item, pointer);
        form.collect = () => ({
          label: `Edit ${noun} ${item.id}`,
          edits: [{ file: relpath, base: Form.base(relpath, file), ops: diffOps(item, get(), pointer, () => null) }],
          focus: null,
        });
        box.addEventListener("close", () => openForms.delete(form));
        form.body.querySelector("input, textarea, select")?.focus();
      });
      list.append(h("li", {}, h("span", { class: "mdg-record" }, describe(item)), " ", edit));
    });
    box.append(list, h("div", { class: "mdg-actions" }, close));
  });
}
