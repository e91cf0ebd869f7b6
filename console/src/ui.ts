import { ApiError } from "./api.js";
import { h, type Child } from "./dom.js";

/** A message the API sent back, as the person at the keyboard should read it. */
export function errorBox(err: unknown, doing?: string): HTMLElement {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof ApiError ? err.code : null;
  const title = code === "FORBIDDEN" ? "Not allowed" : code === "UNAUTHENTICATED" ? "Not signed in"
    : code === "NOT_FOUND" ? "Not found" : code === "CONFLICT" ? "Not possible right now"
    : code === "BAD_USER_INPUT" ? "Please check the input" : code === "NETWORK" ? "No connection" : "Something went wrong";
  return h("div", { class: "error", role: "alert", "data-testid": "error" },
    h("strong", {}, doing ? `${title} — ${doing}` : title), h("p", {}, message),
    code && !["NETWORK"].includes(code) ? h("p", { class: "muted small" }, `code ${code}`) : null);
}

/** What a section shows when there is nothing to draw, and why. */
export const empty = (why: string): HTMLElement => h("p", { class: "empty", "data-testid": "empty" }, why);

export const section = (title: string, ...children: Child[]): HTMLElement =>
  h("section", { class: "card" }, h("h2", {}, title), ...children);

export function badge(text: string, kind = text.toLowerCase()): HTMLElement {
  return h("span", { class: `badge badge-${kind.replace(/[^a-z0-9_-]/gi, "")}` }, text);
}

export const loading = (): HTMLElement => h("p", { class: "muted", "data-testid": "loading" }, "Loading…");

/** A table from rows; `head` are column titles, numeric columns align right via `num`. */
export function table(head: string[], rows: Child[][], opts: { num?: number[]; testid?: string } = {}): HTMLElement {
  const num = new Set(opts.num ?? []);
  return h("table", { "data-testid": opts.testid },
    h("thead", {}, h("tr", {}, head.map((title, i) => h("th", { class: num.has(i) ? "num" : null }, title)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell, i) => h("td", { class: num.has(i) ? "num" : null }, cell))))));
}

/** Runs an action from a button: disables it while the request runs and shows the API's error under it. */
export function action(button: HTMLButtonElement, out: HTMLElement, run: () => Promise<void>, doing: string): void {
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.replaceChildren(h("span", { class: "muted" }, `${doing}…`));
    try {
      await run();
    } catch (err) {
      out.replaceChildren(errorBox(err, doing));
      button.disabled = false;
    }
  });
}
