// A form in the page: its fields, where each comes from (file and JSON pointer), its save, its problems.

import { call, displayName, loadFile, pageDigest } from "./api.js";
import { clone, equal, escapePointer, getAt, h, uid } from "./dom.js";
import { TextField } from "./inline.js";
import { newResources, pickResource } from "./picker.js";
import { afterReload, announce } from "./status.js";

export const openForms = new Set();

// Saves whose answer has not been handled yet.  The rebuilt preview can announce itself before a
// save's answer arrives (a paragraph's save is rebuilt in ~50 ms), and until the answer is handled
// the form still looks unsaved: whatever waits on ``afterSaves`` runs once every answer is handled.
let savesInFlight = 0;
const whenNoSaves = [];

/** Send a save (``request``: the call's promise) and ``handle`` its answer, counted as in flight. */
export async function sending(request, handle) {
  savesInFlight += 1;
  try {
    handle(await request);
  } finally {
    savesInFlight -= 1;
    if (!savesInFlight) for (const run of whenNoSaves.splice(0)) run();
  }
}

/** Run ``run`` now, or once no save is waiting for its answer. */
export function afterSaves(run) {
  if (savesInFlight) whenNoSaves.push(run);
  else run();
}

/** JSON Patch operations turning ``before`` into ``after`` ({$runs} values stand for texts). */
export function diffOps(before, after, pointer, runsAt) {
  if (after && typeof after === "object" && "$runs" in after && Object.keys(after).length === 1) {
    if (typeof before === "string" && runsAt(pointer) && equal(runsAt(pointer), after.$runs)) return [];
    return before === undefined ? [{ op: "add", path: pointer, value: after }] : [{ op: "replace", path: pointer, value: after }];
  }
  const plainObject = (v) => v && typeof v === "object" && !Array.isArray(v);
  if (plainObject(before) && plainObject(after)) {
    const ops = [];
    for (const [key, value] of Object.entries(after)) {
      const at = `${pointer}/${escapePointer(key)}`;
      if (!(key in before)) ops.push({ op: "add", path: at, value });
      else ops.push(...diffOps(before[key], value, at, runsAt));
    }
    for (const key of Object.keys(before)) if (!(key in after)) ops.push({ op: "remove", path: `${pointer}/${escapePointer(key)}` });
    return ops;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return after.flatMap((value, i) => diffOps(before[i], value, `${pointer}/${i}`, runsAt));
  }
  if (equal(before, after)) return [];
  return [{ op: "replace", path: pointer, value: after }];
}

/** Every resource id the runs in ``value`` cite. */
function citedIn(value, out = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => citedIn(v, out));
  else if (value && typeof value === "object") {
    if (Array.isArray(value.$runs)) value.$runs.forEach((run) => run.cite && out.add(run.cite));
    else Object.values(value).forEach((v) => citedIn(v, out));
  }
  return out;
}

export class Form {
  /**
   * title: what the form edits ("Edit paragraph"); relpath, pointer: where; file: the loaded file;
   * replaces: the element of the page it stands in for (hidden while the form is open).
   */
  constructor({ title, relpath, pointer, file, replaces, after }) {
    this.relpath = relpath;
    this.pointer = pointer;
    this.file = file;
    this.replaces = replaces || [];
    this.targets = [];
    this.fields = [];
    this.dirty = false;
    this.saved = false;
    const titleId = uid("title");
    this.summary = h("div", { class: "mdg-summary", role: "alert", "aria-atomic": "true" });
    this.body = h("div", { class: "mdg-form-body" });
    this.saveButton = h("button", { type: "submit", class: "mdg-button" }, "Save");
    this.el = h("form", { class: "mdg-form", "aria-labelledby": titleId, novalidate: true },
      h("p", { class: "mdg-form-title", id: titleId }, title),
      this.summary,
      this.body,
      h("div", { class: "mdg-actions" }, this.saveButton,
        h("button", { type: "button", class: "mdg-button mdg-secondary", onclick: () => this.close() }, "Cancel")));
    // Choosing where to move a block or what to add is not an edit of this one.
    const edited = (event) => {
      if (!event.target.closest(".mdg-block-tools")) this.dirty = true;
    };
    this.el.addEventListener("input", edited);
    this.el.addEventListener("change", edited);
    this.el.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !document.querySelector("dialog[open]")) {
        event.preventDefault();
        this.close();
      }
    });
    this.el.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    const anchor = after || this.replaces[this.replaces.length - 1];
    anchor.after(this.el);
    for (const element of this.replaces) element.hidden = true;
    openForms.add(this);
  }

  /** The same form, its next fields in another file (a figure's caption in figures.json, say). */
  part(relpath, file) {
    const part = Object.create(this);
    part.relpath = relpath;
    part.file = file;
    return part;
  }

  /** The runs the server gave for a text of this form's file. */
  runsAt(pointer) {
    return this.file.runs[pointer];
  }

  // -- fields ------------------------------------------------------------------------------

  /** A text with formatting and citations; ``pointer()`` says where it is now (lists reorder). */
  text(parent, { label, pointer, runs }) {
    const field = new TextField({
      label,
      runs: runs ?? this.runsAt(pointer()) ?? [],
      cite: () => pickResource(null),
      onChange: () => { this.dirty = true; },
    });
    parent.append(field.element);
    this.fields.push(field);
    this.targets.push({ file: this.relpath, pointer, field });
    return () => field.value;
  }

  /** One line of plain text; ``optional``: left empty, the key is left out. */
  line(parent, { label, pointer, value, hint, optional, multiline }) {
    const id = uid("input");
    const errorId = uid("error");
    const hintId = hint ? uid("hint") : null;
    const input = h(multiline ? "textarea" : "input", {
      id, class: "mdg-input", type: multiline ? undefined : "text", value: value ?? "", rows: multiline ? 3 : undefined,
      "aria-describedby": [hintId, errorId].filter(Boolean).join(" "), spellcheck: "true",
    });
    const error = h("p", { class: "mdg-field-error", id: errorId, hidden: true });
    parent.append(h("div", { class: "mdg-field" },
      h("label", { for: id, class: "mdg-label" }, label), hint ? h("p", { class: "mdg-hint", id: hintId }, hint) : null, input, error));
    this.targets.push({ file: this.relpath, pointer, field: plainField(input, error) });
    return () => (optional && input.value.trim() === "" ? undefined : input.value);
  }

  checkbox(parent, { label, pointer, value }) {
    const id = uid("check");
    const input = h("input", { type: "checkbox", id, checked: Boolean(value) });
    parent.append(h("div", { class: "mdg-check" }, input, h("label", { for: id }, label)));
    this.targets.push({ file: this.relpath, pointer, field: plainField(input, null) });
    return () => input.checked;
  }

  select(parent, { label, pointer, value, options, hint }) {
    const id = uid("select");
    const hintId = hint ? uid("hint") : null;
    const errorId = uid("error");
    const select = h("select", { id, class: "mdg-input", "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") },
      options.map(([v, text]) => h("option", { value: v }, text)));
    select.value = value ?? "";
    const error = h("p", { class: "mdg-field-error", id: errorId, hidden: true });
    parent.append(h("div", { class: "mdg-field" }, h("label", { for: id, class: "mdg-label" }, label),
      hint ? h("p", { class: "mdg-hint", id: hintId }, hint) : null, select, error));
    this.targets.push({ file: this.relpath, pointer, field: plainField(select, error) });
    return () => select.value;
  }

  /**
   * A list of items, each made by ``item(container, value, pointer)`` (which returns a getter),
   * with buttons to move, remove and add items.
   */
  list(parent, { label, noun, pointer, values, item, blank }) {
    const legendId = uid("legend");
    const items = h("ol", { class: "mdg-list" });
    const rows = [];
    const box = h("fieldset", { class: "mdg-fieldset" }, h("legend", { id: legendId }, label), items);
    const renumber = () => {
      rows.forEach((row, i) => {
        row.index = i;
        row.up.disabled = i === 0;
        row.down.disabled = i === rows.length - 1;
        row.remove.disabled = rows.length === 1;
        for (const [button, verb] of [[row.up, "Move up"], [row.down, "Move down"], [row.remove, "Remove"]]) {
          button.lastChild.textContent = ` ${noun} ${i + 1}`;
          button.firstChild.textContent = verb;
        }
      });
      items.replaceChildren(...rows.map((row) => row.element));
    };
    const add = (value, focus) => {
      const row = { index: rows.length };
      const container = h("div", { class: "mdg-item-body" });
      row.get = item(container, value, () => `${pointer}/${row.index}`, () => row.index);
      const tool = (verb, action) => h("button", { type: "button", class: "mdg-tool", onclick: action }, verb, h("span", { class: "mdg-visually-hidden" }));
      row.up = tool("Move up", () => { move(row, -1); });
      row.down = tool("Move down", () => { move(row, 1); });
      row.remove = tool("Remove", () => {
        rows.splice(rows.indexOf(row), 1);
        renumber();
        this.dirty = true;
        (rows[Math.min(row.index, rows.length - 1)]?.up || addButton).focus();
        announce(`${noun} removed.`);
      });
      row.element = h("li", { class: "mdg-item" }, container, h("div", { class: "mdg-item-tools" }, row.up, row.down, row.remove));
      rows.push(row);
      renumber();
      if (focus) (container.querySelector("[contenteditable], input, textarea, select") || row.up).focus();
    };
    const move = (row, by) => {
      const at = rows.indexOf(row);
      rows.splice(at, 1);
      rows.splice(at + by, 0, row);
      renumber();
      this.dirty = true;
      (by < 0 ? row.up : row.down).disabled ? row.remove.focus() : (by < 0 ? row.up : row.down).focus();
      announce(`${noun} moved to position ${rows.indexOf(row) + 1}.`);
    };
    const addButton = h("button", { type: "button", class: "mdg-tool", onclick: () => { add(clone(blank), true); this.dirty = true; } }, `Add ${noun.toLowerCase()}`);
    box.append(addButton);
    values.forEach((value) => add(value, false));
    parent.append(box);
    this.targets.push({ file: this.relpath, pointer: () => pointer, field: { showError: () => {}, control: addButton } });
    return () => rows.map((row) => row.get());
  }

  /** Which readers' handouts include this item: a checkbox per role (content/roles.json). */
  async handout(parent, { pointer, value, passage }) {
    const roles = (await loadFile("roles.json")).value;
    const tag = value || {};
    const errorId = uid("error");
    const error = h("p", { class: "mdg-field-error", id: errorId, hidden: true });
    const box = h("fieldset", { class: "mdg-fieldset", "aria-describedby": errorId },
      h("legend", {}, "Include it in the handouts of"), error);
    const details = h("details", { class: "mdg-details", open: Boolean(value) },
      h("summary", {}, "Handouts: which readers’ “what to do next” handouts include this"), box);
    const ticks = roles.roles.map((role) => [role.id, this.checkbox(box, {
      label: role.editorial_name, pointer: () => `${pointer}/roles`, value: (tag.roles || []).includes(role.id),
    })]);
    const general = this.checkbox(box, { label: "General: for no one kind of reader (in no handout)", pointer: () => `${pointer}/general`, value: tag.general });
    let kind = () => tag.kind;
    let theme = () => tag.theme;
    if (passage) {
      kind = this.select(box, {
        label: "Kind of passage", pointer: () => `${pointer}/kind`, value: tag.kind || "",
        options: [["", "Neither"], ["reflection", "Reflection: questions to ask yourself"], ["action", "Action: a development opportunity"]],
      });
      theme = this.select(box, {
        label: "Theme of a development action", pointer: () => `${pointer}/theme`, value: tag.theme || "",
        options: [["", "None"], ...roles.themes.map((t) => [t.id, t.editorial_name])],
      });
    }
    parent.append(details);
    // Problems with the tag itself, or with the item's tagging (E32x, at the item), are shown here.
    const block = pointer.replace(/\/handout$/, "");
    this.targets.push({
      file: this.relpath,
      pointer: () => pointer,
      alsoFor: (problem) => problem.pointer === block && /^E32/.test(problem.code),
      field: {
        control: box.querySelector("input"),
        showError(message) {
          error.hidden = !message;
          error.textContent = message || "";
          if (message) details.open = true;
        },
      },
    });
    return () => {
      const out = {};
      // The roles already listed keep their order; newly ticked ones follow, in roles.json's order.
      const ticked = ticks.filter(([, get]) => get()).map(([id]) => id);
      const chosen = [...(tag.roles || []).filter((id) => ticked.includes(id)), ...ticked.filter((id) => !(tag.roles || []).includes(id))];
      if (chosen.length || "roles" in tag) out.roles = chosen;
      if (general()) out.general = true;
      else if (tag.general === false) out.general = false;
      if (kind()) out.kind = kind();
      if (theme()) out.theme = theme();
      return Object.keys(out).length ? out : undefined;
    };
  }

  /**
   * Which edition added this part of the guide, or last changed its words: the outputs say
   * "New in 1.1", and the fidelity test lets content/ differ from edition 1.0 only in marked parts.
   */
  async editionMarks(parent, { pointer, value }) {
    const guide = (await loadFile("guide.json")).value;
    const later = [guide.edition, ...(guide.history || [])].map((e) => e.version).filter((v) => v !== "1.0");
    // A mark naming an edition guide.json no longer lists stays a choice: saving must not drop it.
    const known = [...new Set([...later, value.since, value.revised].filter(Boolean))];
    const options = (none) => [["", none], ...known.map((v) => [v, `Edition ${v}`])];
    const box = h("fieldset", { class: "mdg-fieldset" }, h("legend", {}, "Edition marks (the guide says “New in …” or “Revised in …”)"));
    const hint = later.length ? null : "Record the new edition first (New edition… in the bar), then mark what it adds or rewords.";
    const since = this.select(box, { label: "Added in", pointer: () => `${pointer}/since`, value: value.since || "", options: options("The 2017 guide"), hint });
    const revised = this.select(box, { label: "Words changed in", pointer: () => `${pointer}/revised`, value: value.revised || "", options: options("Not changed since") });
    parent.append(box);
    return (updated) => {
      setKey(updated, "since", since() || undefined);
      setKey(updated, "revised", revised() || undefined);
      return updated;
    };
  }

  // -- saving ------------------------------------------------------------------------------

  /** Set by each kind of form: the edits to send, {label, edits, focus}. */
  collect() {
    throw new Error("collect() not set");
  }

  /** The base digest every edit of ``relpath`` is made on: the version the page was made from. */
  static base(relpath, file) {
    return pageDigest(relpath) || file.digest;
  }

  async save(request) {
    const { label, edits, focus } = request || (await this.collect());
    const resourcesCited = citedIn(edits.map((e) => e.ops));
    const created = [...resourcesCited].filter((id) => newResources.has(id));
    if (created.length && !edits.some((e) => e.file === "resources.json")) {
      const resources = await loadFile("resources.json");
      edits.push({
        file: "resources.json",
        base: Form.base("resources.json", resources),
        ops: created.map((id) => ({ op: "add", path: "/resources/-", value: newResources.get(id) })),
      });
    }
    const changed = edits.filter((e) => e.ops.length);
    if (!changed.length) {
      announce("Nothing changed, so nothing was saved.");
      this.close();
      return;
    }
    this.showProblems([]);
    this.saveButton.disabled = true;
    announce("Saving…");
    const startedAt = Date.now();
    await sending(call("POST", "save", { body: { label, edits: changed } }), (answer) => {
      this.saveButton.disabled = false;
      this.afterSave(answer, focus, startedAt);
    });
  }

  afterSave(answer, focus, startedAt) {
    if (answer.ok && answer.data.saved) {
      this.saved = true;
      for (const control of this.el.querySelectorAll("button, input, select, textarea")) control.disabled = true;
      for (const field of this.fields) field.view.setProps({ editable: () => false });
      afterReload({ focus, message: `${answer.data.message} The preview shows it.`, startedAt, warnings: answer.data.warnings });
      announce(`${answer.data.message} Updating the preview…`);
      return;
    }
    if (answer.ok) {
      announce(answer.data.message);
      this.close();
      return;
    }
    this.showProblems(answer.data.problems || [], answer.data);
  }

  /** Problems next to their fields (matched by file and JSON pointer), and all of them in the summary. */
  showProblems(problems, answer) {
    for (const target of this.targets) target.field.showError(null);
    this.summary.replaceChildren();
    if (!answer) return;
    const items = [];
    for (const problem of problems) {
      const target = this.targetFor(problem);
      if (target) target.field.showError(problem.message + (problem.hint ? ` (${problem.hint})` : ""));
      const go = target
        ? h("button", { type: "button", class: "mdg-link-button", onclick: () => target.field.control.focus() }, "Go to the field")
        : null;
      items.push(h("li", {}, problem.text || problem.message, " ", go));
    }
    const children = [h("p", { class: "mdg-summary-title" }, "Not saved: ", answer.error || "the edit was refused")];
    if (answer.hint && !problems.length) children.push(h("p", {}, `Hint: ${answer.hint}`));
    if (items.length) children.push(h("ul", {}, items));
    if (answer.conflict) children.push(...this.conflict(answer.conflict));
    this.summary.replaceChildren(...children);
  }

  conflict(conflict) {
    const out = [];
    for (const [pointer, value] of Object.entries(conflict.on_disk || {})) {
      const text = value === null ? "(no longer there)" : typeof value === "string" ? value : JSON.stringify(value, null, 1);
      out.push(h("p", {}, `On disk now at ${pointer}: `), h("blockquote", { class: "mdg-on-disk" }, text));
    }
    out.push(h("button", { type: "button", class: "mdg-button", onclick: () => window.location.reload() },
      `Show the version on disk (your edit in this form is discarded)`));
    return out;
  }

  /** The field a problem belongs to: the one whose pointer is the longest prefix of the problem's. */
  targetFor(problem) {
    let best = null;
    let length = -1;
    for (const target of this.targets) {
      if (displayName(target.file) !== problem.file) continue;
      if (target.alsoFor && target.alsoFor(problem)) return target;
      const at = target.pointer();
      if ((problem.pointer === at || problem.pointer.startsWith(`${at}/`)) && at.length > length) {
        best = target;
        length = at.length;
      }
    }
    return best;
  }

  close() {
    for (const field of this.fields) field.destroy();
    this.el.remove();
    for (const element of this.replaces) element.hidden = false;
    openForms.delete(this);
    const button = this.replaces[0]?.querySelector(":scope > .mdg-edit") || this.returnFocus;
    if (button) button.focus();
  }
}

function plainField(control, error) {
  return {
    control,
    showError(message) {
      if (!error) return;
      error.hidden = !message;
      error.textContent = message || "";
      control.setAttribute("aria-invalid", message ? "true" : "false");
    },
  };
}

/** The value ``value`` with ``key`` set, or removed when ``v`` is undefined (optional fields). */
export function setKey(value, key, v) {
  if (v === undefined) delete value[key];
  else value[key] = v;
  return value;
}

export { getAt, clone };
