import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkTarget, guardedLookup, isPublicAddress } from "../../src/webhooks/target-guard";
import { CREATE_WEBHOOK } from "./support";
import { startTestServer, type TestServer } from "../support/server";
import { startReceiver, type WebhookReceiver } from "../support/webhook-receiver";

describe("which addresses a webhook may reach", () => {
  it.each([
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254",
    "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255", "198.18.0.1", "192.0.2.10",
    "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::10.0.0.1", "64:ff9b::a9fe:a9fe",
  ])("refuses %s", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(["93.184.216.34", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])("accepts %s", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it("refuses loopback and metadata URLs however they are written, unless private targets are allowed", async () => {
    for (const url of ["http://127.0.0.1:8080/h", "http://localhost/h", "http://[::1]/h", "http://[::ffff:169.254.169.254]/latest", "http://2130706433/h", "http://0x7f.1/h", "https://169.254.169.254/latest/meta-data"]) {
      await expect(checkTarget(url, false), url).rejects.toMatchObject({ code: "BAD_USER_INPUT", message: expect.stringMatching(/non-public address/) });
    }
    await expect(checkTarget("http://127.0.0.1:8080/h", true)).resolves.toBeInstanceOf(URL);
    await expect(checkTarget("gopher://127.0.0.1/", true)).rejects.toMatchObject({ code: "BAD_USER_INPUT", message: expect.stringMatching(/http or https/) });
  });

  it("refuses a private address again at connection time, when the address is looked up to connect", async () => {
    const receiver = await startReceiver();
    try {
      const attempt = (allow: boolean) => new Promise<string>((resolve) => {
        const req = http.request(`${receiver.url.replace("127.0.0.1", "localhost")}/x`, { method: "POST", lookup: guardedLookup(allow) }, (res) => { res.resume(); resolve(`HTTP ${res.statusCode}`); });
        req.on("error", (err) => resolve(err.message));
        req.end("{}");
      });
      expect(await attempt(false)).toMatch(/refused: localhost resolves to .*not a public address/);
      expect(receiver.received).toHaveLength(0);
      expect(await attempt(true)).toBe("HTTP 200");
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});

describe("createWebhook without WEBHOOK_ALLOW_PRIVATE_TARGETS", () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server?.stop(); });

  it("answers BAD_USER_INPUT naming the address, and saves nothing", async () => {
    const admin = await server.client();
    for (const url of ["http://127.0.0.1:9/hook", "http://[::ffff:10.0.0.1]/hook", "http://169.254.169.254/latest"]) {
      const err = await admin.request(CREATE_WEBHOOK, { input: { url, events: ["BAND_ENTERED"] } }).then(() => null, (e: { response: { errors: { message: string; extensions: { code: string; field: string } }[] } }) => e.response.errors[0]);
      expect(err?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "url" });
      expect(err?.message).toMatch(/resolves to .* non-public address/);
    }
    expect(await server.database.db.query("SELECT 1 FROM webhooks")).toHaveLength(0);
  });
});
