// Fields made from a content file's JSON Schema (generated from the content models): resources,
// roles. A field added to a model appears here without a change to the editor.

import { clone, escapePointer, h } from "./dom.js";

// Labels editors read, where the field's name alone would not do; others are made from the name.
const LABELS = {
  url: "Web address, as the 2017 guide prints it",
  current_url: "Current web address, if it has moved",
  archived_url: "Archived copy’s address",
  link_texts: "Linked phrases",
  footnote_2017: "Note number in the 2017 edition",
  status: "Link status (from mdguide check-links)",
  checked: "Date of the last link check",
  editorial_name: "Name (editorial)",
  editorial_description: "Description (editorial)",
  editorial_checklist_intro: "How this reader uses the checklist (editorial, optional)",
  basis: "Where the guide speaks to these readers",
  at: "Part of the guide (its id)",
  order: "Position in the list of handouts",
  since: "Added in edition (blank: the 2017 guide)",
  revised: "Words changed in edition (blank: not changed)",
};

// What one item of a list is called.
const NOUNS = { link_texts: "Linked phrase", basis: "Excerpt", address: "Line", features: "Feature" };

function labelOf(key, schema) {
  if (LABELS[key]) return LABELS[key];
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The schema with $ref followed; optional: it allows null (the key may be left out). */
function resolve(root, schema) {
  let optional = false;
  let s = schema;
  if (s.anyOf) {
    const others = s.anyOf.filter((x) => x.type !== "null");
    optional = others.length < s.anyOf.length;
    s = others[0];
  }
  if (s.$ref) s = root.$defs[s.$ref.split("/").pop()];
  return { s, optional };
}

/** Fields for the object ``value`` at ``pointer``; returns a getter of its new value. */
export function objectFields(form, parent, root, schema, value, pointer) {
  const required = new Set(schema.required || []);
  const getters = [];
  for (const [key, raw] of Object.entries(schema.properties || {})) {
    if (key.startsWith("$")) continue;
    const { s, optional } = resolve(root, raw);
    const at = `${pointer}/${escapePointer(key)}`;
    const leaveOut = optional || !required.has(key);
    getters.push([key, field(form, parent, root, s, value[key], at, labelOf(key, s), raw.description || s.description, leaveOut)]);
  }
  // Keys the form adds are sent as "add" operations; the server puts them where the models list them.
  return () => {
    const out = clone(value);
    for (const [key, get] of getters) {
      const v = get();
      if (v === undefined) delete out[key];
      else out[key] = v;
    }
    return out;
  };
}

function field(form, parent, root, s, value, pointer, label, hint, leaveOut) {
  if (s.enum) {
    const options = [...(leaveOut ? [["", "(none)"]] : []), ...s.enum.map((v) => [v, v])];
    const get = form.select(parent, { label, pointer: () => pointer, value: value ?? "", options, hint });
    return () => (get() === "" && leaveOut ? undefined : get());
  }
  if (s.type === "boolean") {
    const get = form.checkbox(parent, { label, pointer: () => pointer, value });
    return () => (!get() && leaveOut && value === undefined ? undefined : get());
  }
  if (s.type === "integer") {
    const get = form.line(parent, { label, pointer: () => pointer, value: value === undefined || value === null ? "" : String(value), hint, optional: leaveOut });
    // Not a whole number: sent as it is, so that the validator says what is wrong with it.
    return () => {
      const text = get();
      return text === undefined ? undefined : /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
    };
  }
  if (s.type === "array") {
    const items = resolve(root, s.items).s;
    const noun = NOUNS[pointer.split("/").pop()] || "Item";
    const get = form.list(parent, {
      label, noun, pointer, values: value || [], blank: items.type === "object" ? {} : "",
      item: (container, itemValue, at) => (items.type === "object"
        ? objectFields(form, container, root, items, itemValue, at())
        : field(form, container, root, items, itemValue, at(), noun, null, false)),
    });
    return () => {
      const list = get();
      return list.length === 0 && leaveOut && value === undefined ? undefined : list;
    };
  }
  if (s.type === "object") {
    const box = h("fieldset", { class: "mdg-fieldset" }, h("legend", {}, label));
    parent.append(box);
    return objectFields(form, box, root, s, value || {}, pointer);
  }
  const long = (s.maxLength || 0) > 300;
  return form.line(parent, { label, pointer: () => pointer, value, hint, optional: leaveOut, multiline: long });
}
