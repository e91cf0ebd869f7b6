import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLClient } from "graphql-request";
import { Role } from "../../src/auth/roles";
import { startTestServer, type TestServer } from "../support/server";
import { HELD_CONTACTS, INGEST_STATUS } from "./documents";
import { accountOf, counts, ingestApi } from "./helpers";

let server: TestServer;
let api: ReturnType<typeof ingestApi>;
let reader: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer({ INTERNAL_DOMAINS: "quorum.example,staff.quorum.io" });
  api = ingestApi(await server.client(Role.INGEST));
  reader = await server.client(Role.VIEWER);
});
afterAll(async () => { await server?.stop(); });

const emailsOf = async (domain: string) => (await accountOf(reader, domain))!.contacts.map((c) => c.email).sort();
const eventsOf = async (domain: string) => (await accountOf(reader, domain))!.engagement.edges.map((e) => e.node.externalId).sort();
const heldEmails = async () => (await reader.request<{ contacts: { edges: { node: { email: string } }[] } }>(HELD_CONTACTS)).contacts.edges.map((e) => e.node.email);

describe("contacts stitch by email domain", () => {
  beforeAll(async () => {
    await api.accounts([{ domain: "acme.com", name: "Acme" }, { domain: "acme.co.uk", name: "Acme UK" }]);
  });

  it("to the account of their domain, and of a parent domain for subdomains", async () => {
    expect(await api.contacts([{ email: "ann@acme.com" }, { email: "bo@mail.acme.com" }, { email: "cy@shop.acme.co.uk" }])).toMatchObject(counts({ inserted: 3, held: 0 }));
    expect(await emailsOf("acme.com")).toEqual(["ann@acme.com", "bo@mail.acme.com"]);
    expect(await emailsOf("acme.co.uk")).toEqual(["cy@shop.acme.co.uk"]);
  });

  it("to the longest matching account domain: eu.acme.com wins over acme.com, also when it arrives later", async () => {
    await api.contacts([{ email: "di@mail.eu.acme.com" }]);
    expect(await emailsOf("acme.com")).toContain("di@mail.eu.acme.com");
    const arrival = await api.accounts([{ domain: "eu.acme.com", name: "Acme EU" }]);
    expect(arrival).toMatchObject(counts({ inserted: 1 }));
    expect(await emailsOf("eu.acme.com")).toEqual(["di@mail.eu.acme.com"]);
    expect(await emailsOf("acme.com")).not.toContain("di@mail.eu.acme.com");
    // Both existing in one resolution: a new contact goes to the more specific one directly.
    await api.contacts([{ email: "ed@eu.acme.com" }]);
    expect(await emailsOf("eu.acme.com")).toEqual(["di@mail.eu.acme.com", "ed@eu.acme.com"]);
  });

  it("never across a public suffix: a co.uk address waits for its own company", async () => {
    const r = await api.contacts([{ email: "fay@other.co.uk" }]);
    expect(r).toMatchObject(counts({ inserted: 1, held: 1 }));
    expect(await heldEmails()).toContain("fay@other.co.uk");
  });

  it("free-mail addresses never stitch, even when an account has that domain", async () => {
    await api.accounts([{ domain: "gmail.com", name: "Google Mail (a customer)" }]);
    const r = await api.contacts([{ email: "gus@gmail.com" }, { email: "hal@yahoo.co.uk" }, { email: "ivy@mail.gmx.de" }]);
    expect(r).toMatchObject(counts({ inserted: 3, held: 3 }));
    expect(await emailsOf("gmail.com")).toEqual([]);
    const status = (await reader.request<{ ingestStatus: { unstitchableContacts: number } }>(INGEST_STATUS, { first: 5 })).ingestStatus;
    expect(status.unstitchableContacts).toBeGreaterThanOrEqual(3);
  });

  it("accountDomain overrides the email domain (also for free-mail), and clearing it falls back to the email", async () => {
    await api.contacts([{ email: "jo@gmail.com", accountDomain: "acme.co.uk" }, { email: "kim@acme.com", accountDomain: "https://www.ACME.co.uk/" }]);
    expect(await emailsOf("acme.co.uk")).toEqual(["cy@shop.acme.co.uk", "jo@gmail.com", "kim@acme.com"]);
    // Omitting accountDomain keeps the override …
    expect(await api.contacts([{ email: "kim@acme.com", name: "Kim" }])).toMatchObject(counts({ updated: 1 }));
    expect(await emailsOf("acme.co.uk")).toContain("kim@acme.com");
    // … sending null clears it.
    await api.contacts([{ email: "kim@acme.com", accountDomain: null }]);
    expect(await emailsOf("acme.com")).toContain("kim@acme.com");
  });

  it("internal domains make internal contacts: held without accountDomain, attached with it", async () => {
    await api.accounts([{ domain: "quorum.example", name: "Us, oddly also an account" }]);
    const r = await api.contacts([{ email: "rep@quorum.example" }, { email: "se@eu.staff.quorum.io", accountDomain: "acme.com" }]);
    expect(r).toMatchObject(counts({ inserted: 2, held: 1 }));
    expect((await accountOf(reader, "quorum.example"))!.contacts).toEqual([]);
    const acme = (await accountOf(reader, "acme.com"))!;
    expect(acme.contacts.find((c) => c.email === "se@eu.staff.quorum.io")).toEqual({ email: "se@eu.staff.quorum.io", isInternal: true });
    expect(acme.contacts.find((c) => c.email === "ann@acme.com")!.isInternal).toBe(false);
  });
});

describe("held facts wait for their account, and stitch when it arrives", () => {
  it("contacts, events (by domain and by contact), intent and deals: held, listed, then stitched", async () => {
    const c = await api.contacts([{ email: "lea@late.io" }, { email: "max@sub.late.io" }]);
    expect(c).toMatchObject(counts({ inserted: 2, held: 2 }));
    const e = await api.events([
      { externalId: "late-e1", type: "page_view", occurredAt: "2025-04-01T10:00:00Z", accountDomain: "www.late.io" },
      { externalId: "late-e2", type: "email_click", occurredAt: "2025-04-03T10:00:00Z", contactEmail: "lea@late.io" },
      { externalId: "late-e3", type: "email_open", occurredAt: "2025-04-05T10:00:00Z", contactEmail: "lea@late.io", isBot: true },
    ]);
    expect(e).toMatchObject(counts({ inserted: 3, held: 3 }));
    expect(await api.intent([{ accountDomain: "late.io", topic: "abm", strength: 40, observedAt: "2025-04-01T00:00:00Z" }])).toMatchObject(counts({ held: 1 }));
    expect(await api.deals([{ externalId: "late-d1", accountDomain: "late.io", amount: 500, outcome: "OPEN", createdAt: "2025-04-02T00:00:00Z" }])).toMatchObject(counts({ held: 1 }));

    const status = (await reader.request<{ ingestStatus: { heldContacts: number; heldEvents: number; heldIntentSignals: number; heldDeals: number; domains: { domain: string; contacts: number; events: number; intentSignals: number; deals: number }[] } }>(INGEST_STATUS, { first: 50 })).ingestStatus;
    expect(status.domains.find((d) => d.domain === "late.io")).toMatchObject({ contacts: 1, events: 3, intentSignals: 1, deals: 1 });
    expect(status.domains.find((d) => d.domain === "sub.late.io")).toMatchObject({ contacts: 1 });
    expect(await heldEmails()).toEqual(expect.arrayContaining(["lea@late.io", "max@sub.late.io"]));

    const arrival = await api.accounts([{ domain: "late.io", name: "Late" }]);
    expect(arrival).toMatchObject(counts({ inserted: 1, stitched: 2 + 3 + 1 + 1 }));
    const late = (await accountOf(reader, "late.io"))!;
    expect(late.contacts.map((x) => x.email).sort()).toEqual(["lea@late.io", "max@sub.late.io"]);
    expect(late.engagement.edges.map((x) => x.node.externalId).sort()).toEqual(["late-e1", "late-e2", "late-e3"]);
    expect(late.intentSignals).toEqual([{ topic: "abm", strength: 40 }]);
    expect(late.deals.map((d) => d.externalId)).toEqual(["late-d1"]);
    // The newest human event counts, not the later bot open.
    expect(late.lastEngagedAt).toBe("2025-04-03T10:00:00.000Z");
    const after = (await reader.request<{ ingestStatus: { domains: { domain: string }[] } }>(INGEST_STATUS, { first: 50 })).ingestStatus;
    expect(after.domains.map((d) => d.domain)).not.toContain("late.io");
  });

  it("an event sent before its contact waits by email and joins the contact (and its account) when the contact arrives", async () => {
    await api.accounts([{ domain: "corp-x.com", name: "Corp X" }]);
    const e = await api.events([{ externalId: "byemail-1", type: "webinar_attended", occurredAt: "2025-05-01T09:00:00Z", contactEmail: "nia@gmail.com" }]);
    expect(e).toMatchObject(counts({ inserted: 1, held: 1 }));
    const status = (await reader.request<{ ingestStatus: { eventsAwaitingContact: number } }>(INGEST_STATUS, { first: 0 })).ingestStatus;
    expect(status.eventsAwaitingContact).toBeGreaterThanOrEqual(1);
    const c = await api.contacts([{ email: "nia@gmail.com", accountDomain: "corp-x.com" }]);
    expect(c).toMatchObject(counts({ inserted: 1, stitched: 1 }));
    expect(await eventsOf("corp-x.com")).toEqual(["byemail-1"]);
    expect((await accountOf(reader, "corp-x.com"))!.lastEngagedAt).toBe("2025-05-01T09:00:00.000Z");
  });

  it("a contact's events follow it when its account changes", async () => {
    await api.accounts([{ domain: "move-a.com", name: "A" }, { domain: "move-b.com", name: "B" }]);
    await api.contacts([{ email: "oz@move-a.com" }]);
    await api.events([{ externalId: "move-1", type: "page_view", occurredAt: "2025-05-02T00:00:00Z", contactEmail: "oz@move-a.com" }]);
    expect((await accountOf(reader, "move-a.com"))!.lastEngagedAt).toBe("2025-05-02T00:00:00.000Z");
    await api.contacts([{ email: "oz@move-a.com", accountDomain: "move-b.com" }]);
    expect(await eventsOf("move-b.com")).toEqual(["move-1"]);
    expect(await eventsOf("move-a.com")).toEqual([]);
    expect((await accountOf(reader, "move-a.com"))!.lastEngagedAt).toBeNull();
    expect((await accountOf(reader, "move-b.com"))!.lastEngagedAt).toBe("2025-05-02T00:00:00.000Z");
  });

  it("events resolve by their contact first, else by the domain they carry", async () => {
    await api.events([
      { externalId: "res-1", type: "page_view", occurredAt: "2025-05-03T00:00:00Z", contactEmail: "ann@acme.com", accountDomain: "move-b.com" },
      { externalId: "res-2", type: "page_view", occurredAt: "2025-05-03T00:00:00Z", contactEmail: "unknown@move-b.com" },
    ]);
    expect(await eventsOf("acme.com")).toContain("res-1");
    expect(await eventsOf("move-b.com")).toContain("res-2");
  });
});

describe("parent hierarchy", () => {
  it("links a subsidiary to an existing parent, and a held link when the parent arrives", async () => {
    expect(await api.accounts([{ domain: "holdco.com", name: "HoldCo" }, { domain: "sub-1.com", name: "Sub 1", parentDomain: "holdco.com" }])).toMatchObject(counts({ inserted: 2, held: 0 }));
    expect((await accountOf(reader, "sub-1.com"))!.parent).toEqual({ domain: "holdco.com" });
    const held = await api.accounts([{ domain: "sub-2.com", name: "Sub 2", parentDomain: "future-parent.com" }]);
    expect(held).toMatchObject(counts({ inserted: 1, held: 1 }));
    expect((await accountOf(reader, "sub-2.com"))!.parent).toBeNull();
    const arrival = await api.accounts([{ domain: "future-parent.com", name: "Future Parent" }]);
    expect(arrival).toMatchObject(counts({ inserted: 1, stitched: 1 }));
    expect((await accountOf(reader, "sub-2.com"))!.parent).toEqual({ domain: "future-parent.com" });
    expect((await accountOf(reader, "future-parent.com"))!.subsidiaries).toEqual([{ domain: "sub-2.com" }]);
  });

  it("rejects a batch whose links would make a cycle, within the batch or through stored accounts", async () => {
    const inBatch = await api.accounts([
      { domain: "cyc-a.com", name: "A", parentDomain: "cyc-b.com" },
      { domain: "cyc-b.com", name: "B", parentDomain: "cyc-a.com" },
      { domain: "cyc-c.com", name: "C" },
    ]);
    expect(inBatch.errors.map((e) => [e.index, e.field])).toEqual([[0, "parentDomain"], [1, "parentDomain"]]);
    expect(inBatch.errors[0]!.message).toMatch(/would make a cycle \(cyc-a\.com → cyc-b\.com → cyc-a\.com\)/);
    expect(await accountOf(reader, "cyc-c.com")).toBeNull();

    // holdco.com ← sub-1.com exists; making holdco a child of sub-1 closes a loop through stored rows.
    const viaStored = await api.accounts([{ domain: "holdco.com", name: "HoldCo", parentDomain: "sub-1.com" }]);
    expect(viaStored.errors).toEqual([{ index: 0, field: "parentDomain", message: expect.stringMatching(/holdco\.com → sub-1\.com → holdco\.com/) }]);
    // Through a held link: ghost-kid.com waits for ghost.com; ghost.com arriving as ghost-kid's child would loop.
    expect(await api.accounts([{ domain: "ghost-kid.com", name: "Kid", parentDomain: "ghost.com" }])).toMatchObject(counts({ held: 1 }));
    const viaHeld = await api.accounts([{ domain: "ghost.com", name: "Ghost", parentDomain: "ghost-kid.com" }]);
    expect(viaHeld.errors).toEqual([{ index: 0, field: "parentDomain", message: expect.stringMatching(/ghost\.com → ghost-kid\.com → ghost\.com/) }]);
    expect(await accountOf(reader, "ghost.com")).toBeNull();
  });

  it("moving a subsidiary to another parent and clearing the parent work", async () => {
    await api.accounts([{ domain: "sub-1.com", name: "Sub 1", parentDomain: "future-parent.com" }]);
    expect((await accountOf(reader, "sub-1.com"))!.parent).toEqual({ domain: "future-parent.com" });
    await api.accounts([{ domain: "sub-1.com", name: "Sub 1", parentDomain: null }]);
    expect((await accountOf(reader, "sub-1.com"))!.parent).toBeNull();
  });
});
