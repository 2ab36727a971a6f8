// Building the editor's DOM without ever parsing HTML: every text from the content is a text node.

let counter = 0;

/** A fresh id for linking labels, hints and errors. */
export function uid(prefix = "mdg") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * h("button", {type: "button", class: "x", onclick: f}, "Save") -> <button class="x">Save</button>.
 * Attributes are set with setAttribute (never innerHTML); children are nodes or strings (made text nodes).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "value") el.value = value;
    else if (name === "checked") el.checked = Boolean(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Text for screen readers only. */
export function hidden(text) {
  return h("span", { class: "mdg-visually-hidden" }, text);
}

/** The first words of a text, for naming a button after what it edits. */
export function firstWords(text, count = 8) {
  const words = String(text || "").replace(/\s+/g, " ").trim().split(" ");
  return words.length > count ? `${words.slice(0, count).join(" ")} …` : words.join(" ");
}

export function escapePointer(token) {
  return String(token).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function getAt(value, pointer) {
  let node = value;
  for (const token of pointer.split("/").slice(1)) {
    if (node === undefined || node === null) return undefined;
    node = node[token.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

export function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

export function equal(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
