// What the editor says: one polite live region for progress, and what to say after the page reloads.

import { h } from "./dom.js";

let region;

export function statusRegion() {
  if (!region) region = h("p", { class: "mdg-status", role: "status", "aria-live": "polite" });
  return region;
}

export function announce(message) {
  const live = statusRegion();
  // Cleared first, so that the same message said twice is announced twice.
  live.textContent = "";
  window.setTimeout(() => { live.textContent = message; }, 30);
}

const KEY = "mdguide-editor-after-reload";

/** Remember where to put the focus and what to say once the preview has been rebuilt. */
export function afterReload({ focus, message, startedAt, warnings }) {
  sessionStorage.setItem(KEY, JSON.stringify({ focus, message, startedAt, warnings: warnings || [] }));
}

export function takeAfterReload() {
  const raw = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  try {
    return raw ? JSON.parse(raw) : null;
  } catch (error) {
    return null;
  }
}
