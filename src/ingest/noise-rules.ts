/**
 * Noise rules: events that a machine, not a person, caused. They are stored and flagged
 * (`is_bot`, with the reason in `bot_reason`) — never dropped — so scoring ignores them and
 * an operator can still see and audit them.
 */

/**
 * An email open or click this soon after delivery is a mail-privacy prefetch or a security
 * scanner following links: no person reads that fast.
 */
export const PREFETCH_WINDOW_SECONDS = 10;

/** Event types the prefetch rule applies to. */
export const PREFETCH_EVENT_TYPES: ReadonlySet<string> = new Set(["email_open", "email_click"]);

/** User agents of link scanners, crawlers and scripts, with the name a reason shows. */
export const SCANNER_AGENTS: readonly { name: string; pattern: RegExp }[] = [
  { name: "Barracuda", pattern: /barracuda/i },
  { name: "Mimecast", pattern: /mimecast/i },
  { name: "Proofpoint", pattern: /proofpoint/i },
  { name: "Symantec MessageLabs", pattern: /symantec|messagelabs/i },
  { name: "Cisco IronPort", pattern: /ironport/i },
  { name: "Forcepoint", pattern: /forcepoint/i },
  { name: "Trend Micro", pattern: /trend ?micro/i },
  { name: "Sophos", pattern: /sophos/i },
  { name: "Trellix", pattern: /fireeye|trellix/i },
  { name: "Microsoft Safe Links", pattern: /safe ?links|microsoft office protection/i },
  { name: "headless browser", pattern: /headlesschrome|phantomjs|puppeteer|playwright/i },
  { name: "HTTP library", pattern: /^(python-requests|python-urllib|curl|wget|go-http-client|okhttp|java|axios|node-fetch|libwww-perl)\b/i },
  { name: "crawler", pattern: /(?:^|[^a-z])[a-z]*(?:bot|crawler|spider)(?:[/\s;),]|$)/i },
];

export interface NoiseEvidence {
  readonly type: string;
  readonly occurredAtMs: number;
  readonly deliveredAtMs: number | null;
  readonly userAgent: string | null;
  readonly isBot: boolean | null;
}

/**
 * Why an event is noise, or null when it looks human. The first rule that matches gives the
 * reason.
 *
 * @example noiseReason({ type: "email_open", occurredAtMs: t + 2_000, deliveredAtMs: t, userAgent: null, isBot: null })
 *   // "prefetch: email_open 2 s after delivery"
 */
export function noiseReason(e: NoiseEvidence): string | null {
  if (e.isBot === true) return "flagged by the source (isBot)";
  if (e.deliveredAtMs !== null && PREFETCH_EVENT_TYPES.has(e.type)) {
    const seconds = (e.occurredAtMs - e.deliveredAtMs) / 1000;
    if (seconds <= PREFETCH_WINDOW_SECONDS) return `prefetch: ${e.type} ${Math.max(0, Math.round(seconds))} s after delivery`;
  }
  if (e.userAgent) {
    const scanner = SCANNER_AGENTS.find((s) => s.pattern.test(e.userAgent!));
    if (scanner) return `scanner user agent (${scanner.name})`;
  }
  return null;
}
