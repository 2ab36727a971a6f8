// The editor's only way to the server: JSON requests that carry the session's token.

const bootElement = document.getElementById("mdguide-editor-boot");
export const boot = bootElement ? JSON.parse(bootElement.textContent) : null;

/** {status, ok, data} for one request; never throws for an answer the server gave. */
export async function call(method, name, { body, query } = {}) {
  const url = boot.api + name + (query ? `?${new URLSearchParams(query)}` : "");
  const headers = { "X-Mdguide-Token": boot.token };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    return {
      status: 0,
      ok: false,
      data: { error: "the preview server does not answer: is mdguide serve --edit still running?", hint: "" },
    };
  }
  let data;
  try {
    data = await response.json();
  } catch (error) {
    data = { error: `the server's answer could not be read (HTTP ${response.status})`, hint: "" };
  }
  return { status: response.status, ok: response.ok, data };
}

const files = new Map();

/** A content file as loaded (value, digest, runs of its texts, schema); loaded once per page. */
export async function loadFile(relpath) {
  if (!files.has(relpath)) {
    files.set(
      relpath,
      call("GET", "file", { query: { path: relpath } }).then((answer) => {
        if (!answer.ok) {
          files.delete(relpath);
          throw answer;
        }
        return answer.data;
      }),
    );
  }
  return files.get(relpath);
}

/** The digest the page was made from: edits are made on that version of the file. */
export function pageDigest(relpath) {
  return boot.digests[relpath];
}

/** How diagnostics name a file: content/sections/x.json. */
export function displayName(relpath) {
  return `${boot.display.replace(/\/$/, "")}/${relpath}`;
}
