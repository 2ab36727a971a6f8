// The form for each part of the guide the page marks as editable (data-edit="file#pointer").

import { displayName, loadFile, pageDigest } from "./api.js";
import { clone, getAt, h, uid } from "./dom.js";
import { Form, diffOps, setKey } from "./form.js";
import { announce } from "./status.js";

export const NOUNS = {
  paragraph: "paragraph",
  list: "list",
  "pull-quote": "pull quote",
  "case-study": "case study",
  figure: "figure",
  "person-specification": "person specification",
  "editorial-note": "editorial note",
  "extraction-gap": "note on lost text",
};

// New blocks start as these (the fields' order is the models' order).
const BLANKS = {
  paragraph: { type: "paragraph", text: "" },
  list: { type: "list", items: [""] },
  "pull-quote": { type: "pull-quote", id: "", quotes: [{ text: "", bold: false }], attribution: { role: "" } },
  "case-study": { type: "case-study", id: "", person: { name: "", title: "", organisation: "" }, paragraphs: [""] },
  "editorial-note": { type: "editorial-note", text: "" },
};
const ADDABLE = ["paragraph", "list", "pull-quote", "case-study", "editorial-note"];

/** Open the form for ``target`` (an element with data-edit), in place of it. */
export async function openEditor(target) {
  const [relpath, pointer] = target.dataset.edit.split("#");
  let file;
  try {
    file = await loadFile(relpath);
  } catch (answer) {
    announce(`Cannot open ${displayName(relpath)}: ${answer.data ? answer.data.error : answer}`);
    return;
  }
  if (pageDigest(relpath) && file.digest !== pageDigest(relpath)) {
    announce(`${displayName(relpath)} changed on disk after this page was shown. Reload the page to edit it as it is now.`);
    return;
  }
  const value = getAt(file.value, pointer);
  const replaces = [target];
  if (target.classList.contains("criterion") && target.nextElementSibling?.classList.contains("prompting-questions")) {
    replaces.push(target.nextElementSibling);
  }
  const where = { relpath, pointer, file, value, replaces };
  let form;
  if (file.kind === "section" && /\/blocks\/\d+$/.test(pointer)) form = await blockForm(where);
  else if (relpath === "person-specification.json" && /\/criteria\/\d+$/.test(pointer)) form = await criterionForm(where);
  else if (relpath === "person-specification.json") form = groupForm(where);
  else if (relpath === "guide.json") form = editionForm(where);
  else form = textForm(where, "Paragraph");
  form.returnFocus = target.querySelector(":scope > .mdg-edit");
  const first = form.body.querySelector("[contenteditable='true'], input, textarea, select");
  if (first) first.focus();
}

function fresh(form) {
  return (pointer) => (form.isNew ? [] : form.runsAt(pointer));
}

/** The fields of a block of a section; returns a getter of the block's new value. */
async function blockFields(form, value, pointer) {
  const runs = fresh(form);
  const body = form.body;
  const text = (label, at) => form.text(body, { label, pointer: () => `${pointer}/${at}`, runs: runs(`${pointer}/${at}`) });
  const texts = (label, noun, at) => form.list(body, {
    label, noun, pointer: `${pointer}/${at}`, blank: [],
    values: value[at].map((_, i) => runs(`${pointer}/${at}/${i}`)),
    item: (container, itemRuns, itemPointer) => form.text(container, { label: noun, pointer: itemPointer, runs: itemRuns }),
  });
  switch (value.type) {
    case "paragraph": {
      const get = text("Paragraph", "text");
      const handout = await form.handout(body, { pointer: `${pointer}/handout`, value: value.handout, passage: true });
      const marks = await form.editionMarks(body, { pointer, value });
      return () => marks(setKey({ ...clone(value), text: get() }, "handout", handout()));
    }
    case "list": {
      const items = texts("Items of the list", "Item", "items");
      const handout = await form.handout(body, { pointer: `${pointer}/handout`, value: value.handout, passage: true });
      const marks = await form.editionMarks(body, { pointer, value });
      return () => marks(setKey({ ...clone(value), items: items() }, "handout", handout()));
    }
    case "editorial-note": {
      const get = text("Editorial note (the outputs label it as editorial)", "text");
      return () => ({ ...clone(value), text: get() });
    }
    case "extraction-gap": {
      const get = text("Note on the text lost from the 2017 PDF (editorial)", "note");
      return () => ({ ...clone(value), note: get() });
    }
    case "pull-quote": {
      const id = form.line(body, {
        label: "Id", pointer: () => `${pointer}/id`, value: value.id,
        hint: "A name for the quote, unique in the guide: lower-case letters, digits and hyphens, e.g. quote-tell-the-truth.",
      });
      const quotes = form.list(body, {
        label: "Quotes (sharing one attribution)", noun: "Quote", pointer: `${pointer}/quotes`,
        blank: { runs: [], bold: false, rest: { text: "", bold: false } },
        values: value.quotes.map((quote, i) => ({ runs: runs(`${pointer}/quotes/${i}/text`), bold: quote.bold, rest: quote })),
        item: (container, quote, at) => {
          const words = form.text(container, { label: "Quote", pointer: () => `${at()}/text`, runs: quote.runs });
          const bold = form.checkbox(container, { label: "Set in bold, as the 2017 guide sets some quotes", pointer: () => `${at()}/bold`, value: quote.bold });
          return () => ({ ...clone(quote.rest), text: words(), bold: bold() });
        },
      });
      const box = h("fieldset", { class: "mdg-fieldset" }, h("legend", {}, "Attribution"));
      body.append(box);
      const a = value.attribution;
      const role = form.line(box, { label: "Role, e.g. Medical director", pointer: () => `${pointer}/attribution/role`, value: a.role });
      const place = form.line(box, { label: "Place (optional), e.g. West Midlands", pointer: () => `${pointer}/attribution/place`, value: a.place, optional: true });
      const organisation = form.line(box, { label: "Organisation (optional)", pointer: () => `${pointer}/attribution/organisation`, value: a.organisation, optional: true });
      const handout = await form.handout(body, { pointer: `${pointer}/handout`, value: value.handout, passage: false });
      const marks = await form.editionMarks(body, { pointer, value });
      return () => {
        const attribution = { ...clone(a), role: role() };
        setKey(attribution, "place", place());
        setKey(attribution, "organisation", organisation());
        return marks(setKey({ ...clone(value), id: id(), quotes: quotes(), attribution }, "handout", handout()));
      };
    }
    case "case-study": {
      const id = form.line(body, { label: "Id", pointer: () => `${pointer}/id`, value: value.id, hint: "Unique in the guide, e.g. case-study-jane-doe." });
      const box = h("fieldset", { class: "mdg-fieldset" }, h("legend", {}, "Person"));
      body.append(box);
      const p = value.person;
      const name = form.line(box, { label: "Name", pointer: () => `${pointer}/person/name`, value: p.name });
      const title = form.line(box, { label: "Title", pointer: () => `${pointer}/person/title`, value: p.title });
      const organisation = form.line(box, { label: "Organisation", pointer: () => `${pointer}/person/organisation`, value: p.organisation });
      const paragraphs = texts("Paragraphs", "Paragraph", "paragraphs");
      const marks = await form.editionMarks(body, { pointer, value });
      return () => marks({ ...clone(value), id: id(), person: { ...clone(p), name: name(), title: title(), organisation: organisation() }, paragraphs: paragraphs() });
    }
    case "figure":
      return figureFields(form, value);
    default:
      body.append(h("p", { class: "mdg-hint" }, "This block places the person specification here; each criterion has its own Edit button. It can be moved or deleted below."));
      return () => clone(value);
  }
}

async function figureFields(form, ref) {
  const figures = await loadFile("figures.json");
  const index = figures.value.figures.findIndex((f) => f.id === ref.figure);
  const figure = figures.value.figures[index];
  const at = `/figures/${index}`;
  const part = form.part("figures.json", figures);
  const body = form.body;
  const caption = part.line(body, { label: "Caption (without “Figure N:”, which is numbered for you)", pointer: () => `${at}/caption`, value: figure.caption });
  const box = h("fieldset", { class: "mdg-fieldset" }, h("legend", {}, "Text description (editorial)"));
  body.append(box);
  const lead = part.text(box, { label: "Description", pointer: () => `${at}/description/lead` });
  const items = part.list(box, {
    label: "Items of the description", noun: "Item", pointer: `${at}/description/items`, blank: [],
    values: figure.description.items.map((_, i) => part.runsAt(`${at}/description/items/${i}`)),
    item: (container, runs, itemPointer) => part.text(container, { label: "Item", pointer: itemPointer, runs }),
  });
  const basis = part.select(box, {
    label: "Basis of the description", pointer: () => `${at}/description/basis`, value: figure.description.basis,
    options: [["guide-text", "The guide’s own text says what the figure shows"], ["reconstructed", "Reconstructed, incomplete"], ["original", "Taken from the original figure"]],
  });
  const note = part.line(body, { label: "Note on the missing graphic (optional, editorial)", pointer: () => `${at}/image_note`, value: figure.image_note, optional: true, multiline: true });
  form.extraEdits = () => {
    const updated = { ...clone(figure), caption: caption(), description: { ...clone(figure.description), basis: basis(), lead: lead(), items: items() } };
    setKey(updated, "image_note", note());
    return [{ file: "figures.json", base: Form.base("figures.json", figures), ops: diffOps(figure, updated, at, (p) => part.runsAt(p)) }];
  };
  return () => clone(ref);
}

/** The label of the section or subsection a block is in: "How do I prepare? › Courses and tools". */
function placeOf(sectionValue, blockPointer) {
  const names = [sectionValue.title];
  let node = sectionValue;
  const steps = blockPointer.split("/").slice(1);
  for (let i = 0; i + 1 < steps.length; i += 2) {
    if (steps[i] !== "subsections") break;
    node = node.subsections[Number(steps[i + 1])];
    names.push(node.title);
  }
  return names.join(" › ");
}

async function blockForm({ relpath, pointer, file, value, replaces, after, isNew }) {
  const noun = NOUNS[value.type] || "block";
  const place = placeOf(file.value, pointer);
  const form = new Form({ title: `${isNew ? "New" : "Edit"} ${noun} in ${place}`, relpath, pointer, file, replaces, after });
  form.isNew = Boolean(isNew);
  const get = await blockFields(form, value, pointer);
  form.updated = get;
  form.collect = async () => {
    const updated = get();
    const ops = isNew ? [{ op: "add", path: pointer, value: updated }] : diffOps(value, updated, pointer, (p) => form.runsAt(p));
    const edits = [{ file: relpath, base: Form.base(relpath, file), ops }, ...(form.extraEdits ? form.extraEdits() : [])];
    return { label: `${isNew ? "Add" : "Edit"} ${noun} in ${place}`, edits, focus: `${relpath}#${pointer}` };
  };
  if (!isNew) await blockTools(form, { relpath, pointer, file, value, noun, get });
  return form;
}

/** Every section and subsection, for "Move to": {relpath, pointer, label, count}. */
async function containers() {
  const guide = await loadFile("guide.json");
  const out = [];
  for (const relpath of guide.value.sections) {
    const file = await loadFile(relpath);
    const walk = (node, pointer, label) => {
      out.push({ relpath, pointer, label, count: (node.blocks || []).length, file });
      (node.subsections || []).forEach((child, i) => walk(child, `${pointer}/subsections/${i}`, `${label} › ${child.title}`));
    };
    walk(file.value, "", file.value.title);
  }
  return out;
}

async function blockTools(form, { relpath, pointer, file, value, noun, get }) {
  const [, container, indexText] = pointer.match(/^(.*)\/blocks\/(\d+)$/);
  const index = Number(indexText);
  const count = getAt(file.value, `${container}/blocks`).length;
  const base = Form.base(relpath, file);
  const fieldOps = () => diffOps(value, get(), pointer, (p) => form.runsAt(p));
  const box = h("fieldset", { class: "mdg-fieldset mdg-block-tools" }, h("legend", {}, `Move, add or delete (saved at once, with your changes above)`));
  const button = (text, action, disabled) => h("button", { type: "button", class: "mdg-tool", disabled, onclick: action }, text);
  const moveWithin = (to) => form.save({
    label: `Move ${noun} ${to < index ? "up" : "down"}`,
    edits: [{ file: relpath, base, ops: [...fieldOps(), { op: "move", from: pointer, path: `${container}/blocks/${to}` }] }],
    focus: `${relpath}#${container}/blocks/${to}`,
  });
  box.append(button("Move up", () => moveWithin(index - 1), index === 0), button("Move down", () => moveWithin(index + 1), index === count - 1));

  const places = (await containers()).filter((c) => !(c.relpath === relpath && c.pointer === container));
  const whereId = uid("where");
  const where = h("select", { id: whereId, class: "mdg-input" }, places.map((c, i) => h("option", { value: String(i) }, c.label)));
  box.append(h("div", { class: "mdg-field mdg-inline" }, h("label", { for: whereId, class: "mdg-label" }, "Move to the end of"), where,
    button("Move", () => {
      const to = places[Number(where.value)];
      const path = `${to.pointer}/blocks/-`;
      const focus = `${to.relpath}#${to.pointer}/blocks/${to.count}`;
      const label = `Move ${noun} to ${to.label}`;
      if (to.relpath === relpath) {
        form.save({ label, edits: [{ file: relpath, base, ops: [...fieldOps(), { op: "move", from: pointer, path }] }], focus });
      } else {
        form.save({
          label,
          edits: [
            { file: relpath, base, ops: [{ op: "remove", path: pointer }] },
            { file: to.relpath, base: Form.base(to.relpath, to.file), ops: [{ op: "add", path, value: get() }] },
          ],
          focus,
        });
      }
    })));

  const kindId = uid("kind");
  const kind = h("select", { id: kindId, class: "mdg-input" }, ADDABLE.map((k) => h("option", { value: k }, NOUNS[k][0].toUpperCase() + NOUNS[k].slice(1))));
  box.append(h("div", { class: "mdg-field mdg-inline" }, h("label", { for: kindId, class: "mdg-label" }, "Add after this one a new"), kind,
    button("Add", async () => {
      const added = await blockForm({
        relpath, pointer: `${container}/blocks/${index + 1}`, file, value: clone(BLANKS[kind.value]), replaces: [], after: form.el, isNew: true,
      });
      added.returnFocus = form.saveButton;
      added.body.querySelector("[contenteditable='true'], input, textarea, select")?.focus();
    })));

  const confirm = h("div", { class: "mdg-confirm", hidden: true },
    h("p", {}, `Delete this ${noun}? Undo brings it back.`),
    button(`Delete this ${noun}`, () => form.save({
      label: `Delete ${noun}`,
      edits: [{ file: relpath, base, ops: [{ op: "remove", path: pointer }] }],
      focus: index > 0 ? `${relpath}#${container}/blocks/${index - 1}` : (count > 1 ? `${relpath}#${pointer}` : null),
    })),
    button("Keep it", () => { confirm.hidden = true; deleteButton.focus(); }));
  const deleteButton = button("Delete…", () => { confirm.hidden = false; confirm.querySelector("button").focus(); });
  box.append(deleteButton, confirm);
  form.body.append(box);
}

async function criterionForm({ relpath, pointer, file, value, replaces }) {
  const form = new Form({ title: "Edit criterion of the person specification", relpath, pointer, file, replaces });
  const text = form.text(form.body, { label: "Criterion", pointer: () => `${pointer}/text` });
  const questions = form.list(form.body, {
    label: "Prompting questions", noun: "Question", pointer: `${pointer}/questions`, blank: [],
    values: value.questions.map((_, i) => form.runsAt(`${pointer}/questions/${i}`)),
    item: (container, runs, at) => form.text(container, { label: "Question", pointer: at, runs }),
  });
  const handout = await form.handout(form.body, { pointer: `${pointer}/handout`, value: value.handout, passage: false });
  const marks = await form.editionMarks(form.body, { pointer, value });
  form.collect = () => {
    const updated = marks(setKey({ ...clone(value), text: text(), questions: questions() }, "handout", handout()));
    return { label: "Edit criterion", edits: [{ file: relpath, base: Form.base(relpath, file), ops: diffOps(value, updated, pointer, (p) => form.runsAt(p)) }], focus: `${relpath}#${pointer}` };
  };
  return form;
}

function groupForm({ relpath, pointer, file, value, replaces }) {
  const form = new Form({ title: "Edit group of the person specification", relpath, pointer, file, replaces });
  const title = form.line(form.body, { label: "Heading", pointer: () => `${pointer}/title`, value: value.title });
  const lead = form.text(form.body, { label: "Opening line", pointer: () => `${pointer}/lead` });
  form.collect = () => {
    const updated = { ...clone(value), title: title(), lead: lead() };
    return { label: "Edit group of the person specification", edits: [{ file: relpath, base: Form.base(relpath, file), ops: diffOps(value, updated, pointer, (p) => form.runsAt(p)) }], focus: `${relpath}#${pointer}` };
  };
  return form;
}

function textForm({ relpath, pointer, file, value, replaces }, label) {
  const form = new Form({ title: `Edit ${label.toLowerCase()}`, relpath, pointer, file, replaces });
  const text = form.text(form.body, { label, pointer: () => pointer });
  form.collect = () => ({
    label: `Edit ${label.toLowerCase()} in ${displayName(relpath)}`,
    edits: [{ file: relpath, base: Form.base(relpath, file), ops: diffOps(value, text(), pointer, (p) => form.runsAt(p)) }],
    focus: `${relpath}#${pointer}`,
  });
  return form;
}

function editionForm({ relpath, pointer, file, value, replaces }) {
  const form = new Form({ title: "Edit this edition", relpath, pointer, file, replaces });
  form.body.append(h("p", { class: "mdg-hint" }, "To publish a new edition, use New edition in the editor’s bar instead: it keeps this one in the history."));
  const version = form.line(form.body, { label: "Version", pointer: () => `${pointer}/version`, value: value.version, hint: "Two or three numbers with dots, e.g. 1.1." });
  const date = form.line(form.body, { label: "Date", pointer: () => `${pointer}/date`, value: value.date, hint: "Year and month, e.g. 2025-03, or a full date, 2025-03-14." });
  const note = form.line(form.body, { label: "Change note (public, editorial)", pointer: () => `${pointer}/note`, value: value.note, optional: true, multiline: true });
  form.collect = () => {
    const updated = setKey({ ...clone(value), version: version(), date: date() }, "note", note());
    return { label: "Edit the edition", edits: [{ file: relpath, base: Form.base(relpath, file), ops: diffOps(value, updated, pointer, () => null) }], focus: `${relpath}#${pointer}` };
  };
  return form;
}
