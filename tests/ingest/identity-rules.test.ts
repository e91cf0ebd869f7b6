import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { isFreeMail, isInternalDomain, normaliseDomain, normaliseEmail, registrableDomain, stitchDomainOfEmail } from "../../src/ingest/domain-rules";
import { noiseReason } from "../../src/ingest/noise-rules";
import { checkTimestamp } from "../../src/ingest/timestamp";
import { compileDateFormat } from "../../src/ingest/import/date-format";
import { slug } from "../../src/ingest/import/import-mapping";

describe("domains", () => {
  it.each([
    ["Acme.COM", "acme.com"], ["https://www.acme.com/pricing?x=1", "acme.com"], ["acme.com.", "acme.com"], ["www2.acme.com", "acme.com"],
    ["acme.com:8443", "acme.com"], ["bücher.de", "xn--bcher-kva.de"], ["EU.Acme.co.uk", "eu.acme.co.uk"],
  ])("normalises %s → %s", (input, expected) => {
    expect(normaliseDomain(input)).toEqual({ ok: true, value: expected });
  });

  it.each(["", "acme", "acme..com", "-acme.com", "10.1.2.3", "acme .com", "a@b.com"])("rejects %j", (input) => {
    expect(normaliseDomain(input).ok).toBe(false);
  });

  it("finds registrable domains past multi-part public suffixes", () => {
    expect(registrableDomain("mail.eu.acme.co.uk")).toBe("acme.co.uk");
    expect(registrableDomain("shop.user.github.io")).toBe("user.github.io");
    expect(registrableDomain("co.uk")).toBeNull();
    expect(registrableDomain("acme.com")).toBe("acme.com");
  });

  it("knows free-mail, including brands under country domains and subdomains", () => {
    for (const d of ["gmail.com", "yahoo.co.uk", "yahoo.fr", "gmx.de", "mail.gmx.net", "proton.me", "outlook.com"]) expect(isFreeMail(d)).toBe(true);
    for (const d of ["acme.com", "gmailer.com", "yahoo-finance-partner.com"]) expect(isFreeMail(d)).toBe(false);
  });

  it("stitches emails by their domain unless free-mail or internal", () => {
    expect(stitchDomainOfEmail("mail.acme.com", ["quorum.example"])).toBe("mail.acme.com");
    expect(stitchDomainOfEmail("gmail.com", ["quorum.example"])).toBeNull();
    expect(stitchDomainOfEmail("eu.quorum.example", ["quorum.example"])).toBeNull();
    expect(isInternalDomain("notquorum.example", ["quorum.example"])).toBe(false);
  });

  it("normalises emails", () => {
    expect(normaliseEmail(" Jane.Doe@Mail.ACME.com ")).toEqual({ ok: true, value: { email: "jane.doe@mail.acme.com", domain: "mail.acme.com" } });
    expect(normaliseEmail("jane@@acme.com").ok).toBe(false);
    expect(normaliseEmail("jane..doe@acme.com").ok).toBe(false);
  });
});

describe("timestamps", () => {
  it("keep microseconds, convert offsets to UTC, and refuse a missing time zone", () => {
    expect(checkTimestamp("2024-01-05T10:00:00.123456Z")).toEqual({ ok: true, value: { iso: "2024-01-05T10:00:00.123456Z", epochMs: Date.UTC(2024, 0, 5, 10, 0, 0, 123) } });
    expect(checkTimestamp("2024-01-05T10:00:00+02:00")).toMatchObject({ ok: true, value: { iso: "2024-01-05T08:00:00.000000Z" } });
    expect(checkTimestamp("2024-01-05T10:00:00-0530")).toMatchObject({ ok: true, value: { iso: "2024-01-05T15:30:00.000000Z" } });
    expect(checkTimestamp("2024-01-05T10:00:00")).toMatchObject({ ok: false, message: expect.stringMatching(/has no time zone/) });
    expect(checkTimestamp("2023-02-29T10:00:00Z")).toMatchObject({ ok: false });
    expect(checkTimestamp("2024-02-29T10:00:00Z")).toMatchObject({ ok: true });
  });

  it("date formats of CSV exports, read in the mapping's time zone", () => {
    expect(compileDateFormat("yyyy-MM-dd", "UTC").parse("2016-10-20")).toEqual({ ok: true, value: "2016-10-20T00:00:00.000Z" });
    expect(compileDateFormat("MM/dd/yyyy hh:mm a", "America/New_York").parse("03/01/2017 02:05 PM")).toEqual({ ok: true, value: "2017-03-01T19:05:00.000Z" });
    expect(compileDateFormat("dd.MM.yyyy HH:mm", "Europe/Berlin").parse("01.07.2024 12:00")).toEqual({ ok: true, value: "2024-07-01T10:00:00.000Z" });
    expect(compileDateFormat("d MMM yyyy", "+05:30").parse("5 Jan 2024")).toEqual({ ok: true, value: "2024-01-04T18:30:00.000Z" });
    expect(compileDateFormat("yyyy-MM-dd", null).parse("2016-10-20")).toMatchObject({ ok: false, message: expect.stringMatching(/set "timezone" in the import mapping/) });
    expect(compileDateFormat("yyyy-MM-dd", "UTC").parse("20/10/2016")).toMatchObject({ ok: false, message: expect.stringMatching(/does not match the date format yyyy-MM-dd/) });
    expect(() => compileDateFormat("yyyy-MM-dd", "Mars/Olympus")).toThrow(/Unknown time zone/);
  });

  it("slugs names into keys", () => {
    expect(slug("Gekko & Co")).toBe("gekko-co");
    expect(slug("  Café Zürich AG ")).toBe("cafe-zurich-ag");
  });
});

describe("noise rules", () => {
  const human = { type: "email_open", occurredAtMs: 60_000, deliveredAtMs: 0, userAgent: "Mozilla/5.0 (iPhone)", isBot: null };
  it("flag prefetches, scanners and source-flagged events, not people", () => {
    expect(noiseReason(human)).toBeNull();
    expect(noiseReason({ ...human, occurredAtMs: 9_000 })).toBe("prefetch: email_open 9 s after delivery");
    expect(noiseReason({ ...human, type: "page_view", occurredAtMs: 1_000 })).toBeNull();
    expect(noiseReason({ ...human, userAgent: "python-requests/2.31" })).toBe("scanner user agent (HTTP library)");
    expect(noiseReason({ ...human, userAgent: "Mozilla/5.0 (Linux; Android 9; CUBOT_X19)" })).toBeNull();
    expect(noiseReason({ ...human, isBot: true })).toBe("flagged by the source (isBot)");
  });
});
