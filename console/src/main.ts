import { ApiError, forgetKey, gql, storedKey, storeKey, whenUnauthenticated } from "./api.js";
import { fill, h } from "./dom.js";
import { accountPage, accountsPage } from "./pages/accounts.js";
import { kpisPage } from "./pages/kpis.js";
import { modelsPage } from "./pages/models.js";
import { overviewPage } from "./pages/overview.js";
import { proposalPage, proposalsPage } from "./pages/proposals.js";
import { currentRoute, link, type Route } from "./router.js";
import { caller, canRead, type Caller, setCaller } from "./session.js";
import { errorBox, loading } from "./ui.js";

const ME = `query Me { me { keyId name role } }`;

type Page = (main: HTMLElement, route: Route) => Promise<void>;

const NAV: { part: string; title: string }[] = [
  { part: "", title: "Overview" },
  { part: "accounts", title: "Accounts" },
  { part: "proposals", title: "Proposals" },
  { part: "models", title: "Models" },
  { part: "kpis", title: "KPIs" },
];

function pageFor(route: Route): Page {
  const [first, second] = route.parts;
  if (!first) return overviewPage;
  if (first === "accounts") return second ? (main) => accountPage(main, second) : accountsPage;
  if (first === "proposals") return second ? (main) => proposalPage(main, second, route) : proposalsPage;
  if (first === "models" && !second) return modelsPage;
  if (first === "kpis" && !second) return kpisPage;
  return async (main) => fill(main, h("section", { class: "card" }, h("h1", {}, "No such page"),
    h("p", {}, `There is no console page at “${route.parts.join("/")}”. `, h("a", { href: "#/" }, "Back to the overview"))));
}

const app = document.getElementById("app")!;
let rendering = 0;

async function render(notice?: string): Promise<void> {
  const token = ++rendering;
  const key = storedKey();
  if (!key) return signIn(notice);
  if (!caller()) {
    fill(app, loading());
    try {
      setCaller((await gql<{ me: Caller }>(ME, {}, key)).me);
    } catch (err) {
      if (err instanceof ApiError && err.code === "UNAUTHENTICATED") { forgetKey(); return signIn(err.message); }
      fill(app, errorBox(err, "checking your key"));
      return;
    }
  }
  if (token !== rendering) return;
  const who = caller()!;
  const route = currentRoute();
  const main = h("main", { id: "main" });
  fill(app,
    h("header", { class: "top" },
      h("a", { class: "brand", href: "#/" }, "Quorum"),
      h("nav", {}, NAV.map((item) => h("a", { href: link(item.part ? [item.part] : []), class: (route.parts[0] ?? "") === item.part ? "active" : null }, item.title))),
      h("span", { class: "who", "data-testid": "who" }, who.name, " · ", h("strong", {}, who.role)),
      h("button", { type: "button", class: "link", "data-testid": "sign-out", onclick: () => signOut("You are signed out.") }, "Sign out")),
    main);
  if (!canRead()) {
    fill(main, h("div", { class: "error", role: "alert", "data-testid": "error" }, h("strong", {}, "This key cannot read"),
      h("p", {}, `The key “${who.name}” has role ${who.role}, which writes data but cannot read it. Sign in with a VIEWER, ANALYST, COUNCIL or ADMIN key.`)));
    return;
  }
  fill(main, loading());
  try {
    await pageFor(route)(main, route);
  } catch (err) {
    if (token === rendering) fill(main, errorBox(err, "loading this page"));
  }
}

function signOut(notice: string): void {
  forgetKey();
  setCaller(null);
  history.replaceState(null, "", location.pathname);
  void render(notice);
}

function signIn(notice?: string): void {
  const input = h("input", { type: "password", id: "api-key", name: "api-key", autocomplete: "off", required: true, placeholder: "qrm_…", "data-testid": "api-key" });
  const out = h("div", {}, notice ? h("p", { class: "notice", "data-testid": "notice" }, notice) : null);
  const form = h("form", { class: "card sign-in", "data-testid": "sign-in" },
    h("h1", {}, "Quorum console"),
    h("p", {}, "Sign in with an API key. The key stays in this browser tab only (session storage) and is sent to this server’s GraphQL API with every request."),
    h("label", { for: "api-key" }, "API key"), input,
    h("button", { type: "submit", class: "primary" }, "Sign in"), out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    out.replaceChildren(h("span", { class: "muted" }, "Checking the key…"));
    try {
      const { me } = await gql<{ me: Caller }>(ME, {}, key);
      storeKey(key);
      setCaller(me);
      void render();
    } catch (err) {
      out.replaceChildren(errorBox(err, "signing in"));
    }
  });
  fill(app, h("main", { id: "main" }, form));
  input.focus();
}

whenUnauthenticated((message) => signOut(message));
window.addEventListener("hashchange", () => void render());
void render();
