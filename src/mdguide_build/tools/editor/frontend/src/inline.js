// One text field of the guide, edited as formatted words: italic, bold and citation chips (ProseMirror).
//
// The field travels as runs ({text, em, strong, link} or {cite}); the server turns them into the
// guide's markup, so nobody types * or [^id] here.

import { Schema } from "prosemirror-model";
import { EditorState } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { keymap } from "prosemirror-keymap";
import { baseKeymap, toggleMark } from "prosemirror-commands";
import { closeHistory, history, redo, undo } from "prosemirror-history";
import { h, uid } from "./dom.js";

export const schema = new Schema({
  nodes: {
    // One paragraph's worth of words: the document is the text block itself.
    doc: { content: "inline*" },
    text: { group: "inline" },
    cite: {
      group: "inline",
      inline: true,
      atom: true,
      selectable: true,
      attrs: { resource: {} },
      toDOM: (node) => [
        "span",
        { class: "mdg-cite", "data-resource": node.attrs.resource, contenteditable: "false" },
        `note: ${node.attrs.resource}`,
      ],
      parseDOM: [{ tag: "span.mdg-cite", getAttrs: (dom) => ({ resource: dom.getAttribute("data-resource") }) }],
    },
  },
  marks: {
    // A phrase linked to a resource ([words][id]): kept as it is; the Cite button adds notes.
    link: {
      attrs: { resource: {} },
      inclusive: false,
      toDOM: (mark) => ["span", { class: "mdg-link", "data-resource": mark.attrs.resource }, 0],
      parseDOM: [{ tag: "span.mdg-link", getAttrs: (dom) => ({ resource: dom.getAttribute("data-resource") }) }],
    },
    strong: { toDOM: () => ["strong", 0], parseDOM: [{ tag: "strong" }, { tag: "b" }] },
    em: { toDOM: () => ["em", 0], parseDOM: [{ tag: "em" }, { tag: "i" }] },
  },
});

export function normalise(runs) {
  const out = [];
  for (const raw of runs) {
    const run = {};
    for (const [key, value] of Object.entries(raw)) if (value !== false && value !== null && value !== undefined) run[key] = value;
    if ("text" in run && !run.text) continue;
    const last = out[out.length - 1];
    if (last && "text" in run && "text" in last && last.em === run.em && last.strong === run.strong && last.link === run.link) {
      out[out.length - 1] = { ...last, text: last.text + run.text };
    } else out.push(run);
  }
  return out;
}

function docOf(runs) {
  const nodes = normalise(runs).map((run) => {
    const marks = [];
    if (run.link) marks.push(schema.marks.link.create({ resource: run.link }));
    if (run.strong) marks.push(schema.marks.strong.create());
    if (run.em) marks.push(schema.marks.em.create());
    return "cite" in run ? schema.nodes.cite.create({ resource: run.cite }, null, marks) : schema.text(run.text, marks);
  });
  return schema.nodes.doc.create(null, nodes);
}

function runsOf(doc) {
  const runs = [];
  doc.forEach((node) => {
    const run = node.isText ? { text: node.text } : { cite: node.attrs.resource };
    for (const mark of node.marks) {
      if (mark.type.name === "link") run.link = mark.attrs.resource;
      else run[mark.type.name] = true;
    }
    runs.push(run);
  });
  return normalise(runs);
}

// A text is one line: pasted line breaks, tabs and other control characters become spaces.
const oneLine = (text) => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");

export class TextField {
  /**
   * @param {object} options
   *   label: the field's visible label; runs: its words; cite: async () => resource id or null
   *   (the resource picker); plainOnly: no formatting (fields without markup).
   */
  constructor({ label, runs, cite, onChange }) {
    this.labelId = uid("label");
    this.errorId = uid("error");
    this.onChange = onChange || (() => {});
    this.initial = normalise(runs || []);
    this.buttons = {};
    const bar = h("div", { class: "mdg-format", role: "group", "aria-label": `Formatting: ${label}` });
    const mark = (name, text, keys) => {
      const button = h("button", { type: "button", class: "mdg-tool", "aria-pressed": "false", "aria-keyshortcuts": keys }, text);
      button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
      button.addEventListener("click", () => {
        toggleMark(schema.marks[name])(this.view.state, this.view.dispatch);
        this.view.focus();
      });
      this.buttons[name] = button;
      bar.append(button);
    };
    mark("em", "Italic", "Control+I");
    mark("strong", "Bold", "Control+B");
    if (cite) {
      const citeButton = h("button", { type: "button", class: "mdg-tool" }, "Cite a resource…");
      citeButton.addEventListener("click", async () => {
        const resource = await cite();
        if (resource) this.insertCitation(resource);
        else this.view.focus();
      });
      bar.append(citeButton);
    }
    this.host = h("div", { class: "mdg-text" });
    this.element = h("div", { class: "mdg-field mdg-text-field" },
      h("span", { class: "mdg-label", id: this.labelId }, label),
      bar,
      this.host,
      h("p", { class: "mdg-field-error", id: this.errorId, hidden: true }));
    this.view = new EditorView(this.host, {
      state: EditorState.create({
        doc: docOf(this.initial),
        plugins: [
          history(),
          keymap({ "Mod-i": toggleMark(schema.marks.em), "Mod-b": toggleMark(schema.marks.strong), "Mod-z": undo, "Mod-y": redo, "Mod-Shift-z": redo }),
          keymap(baseKeymap),
        ],
      }),
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        "aria-labelledby": this.labelId,
        "aria-describedby": this.errorId,
        spellcheck: "true",
        lang: "en-GB",
        class: "mdg-text-input",
      },
      transformPastedText: oneLine,
      handleKeyDown: (view, event) => event.key === "Enter" && !event.ctrlKey && !event.metaKey, // no line breaks
      dispatchTransaction: (transaction) => {
        this.view.updateState(this.view.state.apply(transaction));
        this.refresh();
        if (transaction.docChanged) this.onChange();
      },
    });
    this.refresh();
  }

  refresh() {
    const { state } = this.view;
    const { from, $from, to, empty } = state.selection;
    for (const [name, button] of Object.entries(this.buttons)) {
      const type = schema.marks[name];
      const active = empty ? Boolean(type.isInSet(state.storedMarks || $from.marks())) : state.doc.rangeHasMark(from, to, type);
      button.setAttribute("aria-pressed", String(active));
    }
  }

  insertCitation(resource) {
    const { state } = this.view;
    const node = schema.nodes.cite.create({ resource });
    // Its own step in the field's undo history, whatever was typed just before.
    this.view.dispatch(closeHistory(state.tr.insert(state.selection.to, node)).scrollIntoView());
    this.view.focus();
  }

  get runs() {
    return runsOf(this.view.state.doc);
  }

  get value() {
    return { $runs: this.runs };
  }

  get changed() {
    return JSON.stringify(this.runs) !== JSON.stringify(this.initial);
  }

  get control() {
    return this.view.dom;
  }

  focus() {
    this.view.focus();
  }

  showError(message) {
    const error = this.element.querySelector(".mdg-field-error");
    error.hidden = !message;
    error.textContent = message || "";
    this.view.dom.setAttribute("aria-invalid", message ? "true" : "false");
  }

  destroy() {
    this.view.destroy();
  }
}
