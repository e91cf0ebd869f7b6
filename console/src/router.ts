/** Routes live in the URL's fragment (`#/accounts/123?band=Hot`), so the server serves one page. */

export interface Route { readonly parts: string[]; readonly query: URLSearchParams }

export function currentRoute(): Route {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = raw.split("?", 2);
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

/** A fragment link: `link(["accounts", id])`, `link(["accounts"], { band: "Hot" })`. */
export function link(parts: string[], query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") q.set(k, v);
  const qs = q.toString();
  return `#/${parts.map(encodeURIComponent).join("/")}${qs ? `?${qs}` : ""}`;
}

export function go(parts: string[], query: Record<string, string | undefined> = {}): void {
  location.hash = link(parts, query);
}
