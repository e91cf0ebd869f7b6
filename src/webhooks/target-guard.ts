import dns from "node:dns";
import net from "node:net";
import { BadInputError } from "../platform/errors/errors";

/**
 * Where a webhook may send: only http(s) URLs whose host resolves to public unicast addresses.
 * Loopback, private (RFC 1918, IPv6 ULA), link-local (which holds the cloud metadata address
 * 169.254.169.254), CGNAT, multicast, reserved, documentation and unspecified ranges are
 * refused, IPv4 and IPv6 alike; an IPv4-mapped, IPv4-compatible or NAT64 IPv6 address is judged
 * by the IPv4 address inside it. The rule is applied when a webhook is saved and again at every
 * delivery, on the addresses the connection actually uses (so DNS that changes in between
 * gains nothing).
 */
const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.88.99.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24],
  ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) BLOCKED.addSubnet(prefix, bits, "ipv4");
for (const [prefix, bits] of [
  ["::", 128], ["::1", 128], ["100::", 64], ["2001::", 23], ["2001:db8::", 32], ["fc00::", 7], ["fe80::", 10], ["fec0::", 10], ["ff00::", 8],
] as const) BLOCKED.addSubnet(prefix, bits, "ipv6");

/**
 * Whether an address may be a webhook target (true = public unicast).
 *
 * @example isPublicAddress("93.184.216.34")      // true
 * @example isPublicAddress("::ffff:10.0.0.1")    // false: IPv4-mapped private address
 * @example isPublicAddress("fd00:ec2::254")      // false: unique local (an AWS metadata address)
 */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return !BLOCKED.check(address, "ipv4");
  if (family !== 6) return false;
  const embedded = embeddedIpv4(address);
  if (embedded !== null) return !BLOCKED.check(embedded, "ipv4");
  return !BLOCKED.check(address, "ipv6");
}

/** The IPv4 address inside ::ffff:a.b.c.d, ::a.b.c.d and 64:ff9b::/96 (NAT64), in any notation; null otherwise. */
function embeddedIpv4(address: string): string | null {
  const words = expandIpv6(address);
  if (!words) return null;
  const zeros = (n: number) => words.slice(0, n).every((w) => w === 0);
  const mapped = zeros(5) && words[5] === 0xffff;
  const compatible = zeros(6) && (words[6] !== 0 || words[7]! > 1);
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0);
  if (!mapped && !compatible && !nat64) return null;
  return [words[6]! >> 8, words[6]! & 0xff, words[7]! >> 8, words[7]! & 0xff].join(".");
}

function expandIpv6(address: string): number[] | null {
  let text = address.toLowerCase().replace(/%.*$/, "");
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split(".").map(Number);
    text = `${text.slice(0, -dotted[1]!.length)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, tail, ...more] = text.split("::");
  if (more.length > 0) return null;
  const h = head ? head.split(":") : [];
  const t = tail !== undefined ? (tail ? tail.split(":") : []) : null;
  const words = t === null ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  if (words.length !== 8) return null;
  return words.map((w) => parseInt(w, 16));
}

/** A webhook URL as given, checked for form (not yet for where it resolves). */
export function parseTargetUrl(raw: string): URL {
  const field = { field: "url" };
  if (raw.length > 2_000) throw new BadInputError("url is longer than 2,000 characters.", field);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadInputError(`url "${raw.slice(0, 100)}" is not a URL; give an absolute http:// or https:// URL.`, field);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new BadInputError(`url must use http or https (got ${url.protocol.replace(/:$/, "")}).`, field);
  }
  if (url.username || url.password) throw new BadInputError("url must not carry a user name or password; receivers verify the signature instead.", field);
  if (!url.hostname) throw new BadInputError("url has no host.", field);
  return url;
}

/** The host part as the resolver takes it: IPv6 literals without brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * Resolves a target's host and refuses it (BAD_USER_INPUT, naming the address) when it does not
 * resolve or resolves to any address that is not public, unless private targets are allowed.
 */
export async function checkTarget(raw: string, allowPrivate: boolean): Promise<URL> {
  const url = parseTargetUrl(raw);
  const host = hostOf(url);
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch {
    throw new BadInputError(`url host "${host}" does not resolve; give a host name that has a DNS record.`, { field: "url" });
  }
  if (!allowPrivate) {
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) {
      throw new BadInputError(
        `url host "${host}" resolves to ${bad.address}, a loopback, private, link-local or otherwise non-public address; webhooks may only reach public addresses (WEBHOOK_ALLOW_PRIVATE_TARGETS allows others).`,
        { field: "url" });
    }
  }
  return url;
}

/**
 * A `lookup` for http.request that refuses non-public addresses at connection time, so the
 * address checked is the address connected to.
 */
export function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, "", 4);
      const list = addresses as unknown as dns.LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (bad) {
        return callback(Object.assign(new Error(`refused: ${hostname} resolves to ${bad.address}, which is not a public address`), { code: "EWEBHOOKTARGET" }), "", 4);
      }
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 4);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
