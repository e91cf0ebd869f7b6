import type { DEFAULT_EVENT_TYPES } from "../platform/config/config";
import type { AccountProfile } from "./account-profiles";
import {
  AD_CAMPAIGNS, BLOG_SLUGS, CONTENT_ASSETS, DEAL_PRODUCTS, EMAIL_CAMPAIGNS, EVENTS, INTENT_TOPICS, MEETING_KINDS, OPEN_STAGES,
  WEB_PAGES, WEBINARS,
} from "./catalog";
import { COMMITTEE_ROLES, type DemoContact } from "./contacts.generator";
import { clamp, rng, type Rng, sigmoid, Stream, Weighted } from "./random";

export type EventType = (typeof DEFAULT_EVENT_TYPES)[number];

/** One engagement event; `contact` indexes the account's contacts, -1 for an anonymous visit. */
export interface DemoEvent {
  /** Epoch seconds. */
  readonly t: number;
  readonly type: EventType;
  readonly contact: number;
  readonly channel: string;
  readonly asset: string;
  readonly source: string;
  /** Set for bot and prefetch traffic, which scoring must ignore. */
  readonly botReason: string | null;
}

export interface DemoIntentSignal {
  readonly topic: string;
  readonly strength: number;
  /** Epoch seconds. */
  readonly t: number;
  readonly source: string;
}

export type DealOutcome = "OPEN" | "WON" | "LOST";

export interface DemoDeal {
  readonly name: string;
  readonly amount: number;
  readonly stage: string;
  readonly outcome: DealOutcome;
  /** Epoch seconds. */
  readonly created: number;
  /** Epoch seconds; null while open. */
  readonly closed: number | null;
}

/** Everything that happened at one account: events in time order, intent, deals. */
export interface AccountActivity {
  readonly events: DemoEvent[];
  readonly intent: DemoIntentSignal[];
  readonly deals: DemoDeal[];
}

/**
 * What a deal's outcome depends on, measured from the generated facts in the 90 days before
 * the deal was created — the same point-in-time view a training run takes.
 */
export interface DealSignals {
  readonly fit: number;
  readonly engagedContacts: number;
  readonly decisionMakerEngaged: boolean;
  readonly championEngaged: boolean;
  readonly technicalEvaluatorEngaged: boolean;
  readonly demoRequests: number;
  readonly pricingViews: number;
  readonly meetingsHeld: number;
  /** Strongest intent signal in the window, 0 when there was none. */
  readonly intentMax: number;
}

const DAY = 86_400;
const LOOKBACK = 90 * DAY;
const MAX_INTENT_SIGNALS = 8;
/** Sunday … Saturday: weekdays heavier, Tuesday to Thursday peaking. */
const WEEKDAY_WEIGHT = [0.12, 0.85, 1, 1, 0.95, 0.7, 0.14];
const BOT_OPEN_SHARE = 0.05;
const BOT_CLICK_SHARE = 0.02;
const BOT_OPEN_REASONS = new Weighted([["open within 2s of delivery", 6], ["security scanner user agent", 3], ["mail privacy prefetch", 1]] as const);

/** Calibrated so that about 40% of closed deals are won. */
const WIN_INTERCEPT = -3.65;

/**
 * Points per event type for "engaged" in {@link dealSignals}: a contact with 3 or more points
 * in the window is engaged. Sales touches are our action, not theirs, so they count nothing.
 */
const ENGAGEMENT_POINTS: Readonly<Record<EventType, number>> = {
  email_open: 0.5, email_click: 1, email_reply: 2, page_view: 0.5, pricing_page_view: 1.5, content_download: 1.5,
  webinar_registered: 1, webinar_attended: 2, form_fill: 2, demo_request: 3, trial_signup: 3, meeting_booked: 2,
  meeting_held: 3, ad_click: 0.5, event_attended: 2, sales_touch: 0,
};

/**
 * The win probability of a deal: a logistic of fit, buying-committee engagement and intent.
 * Example: fit 80, decision maker and champion engaged, 4 engaged contacts, a demo request,
 * no meeting yet, intent 70 → logit −1.45 + 1.05 + 0.8 + 0.7 + 0.48 + 0.5 + 0.4 = 2.48, p ≈ 0.92
 * (before the noise term the generator adds).
 */
export function winLogit(s: DealSignals): number {
  return WIN_INTERCEPT
    + 0.035 * (s.fit - 50)
    + (s.decisionMakerEngaged ? 0.8 : 0)
    + (s.championEngaged ? 0.7 : 0)
    + (s.technicalEvaluatorEngaged ? 0.45 : 0)
    + 0.12 * Math.min(s.engagedContacts, 8)
    + (s.demoRequests > 0 ? 0.5 : 0)
    + (s.pricingViews >= 2 ? 0.3 : 0)
    + (s.meetingsHeld > 0 ? 0.5 : 0)
    + (s.intentMax > 0 ? 0.02 * (s.intentMax - 50) : -0.2);
}

/**
 * One account's engagement, intent and deals, from its own random stream. `now` is in epoch
 * seconds; nothing happens after it.
 */
export function generateActivity(seed: number, account: AccountProfile, contacts: readonly DemoContact[], now: number): AccountActivity {
  return new ActivityBuilder(rng(seed, account.index, Stream.activity), account, contacts, now).build();
}

const BACKGROUND = new Weighted<EventType>([
  ["email_open", 40], ["page_view", 22], ["email_click", 9], ["ad_click", 5], ["content_download", 4], ["webinar_registered", 3],
  ["webinar_attended", 1.5], ["email_reply", 2.5], ["pricing_page_view", 2], ["form_fill", 1.5], ["event_attended", 0.7],
  ["sales_touch", 4], ["meeting_booked", 0.5], ["demo_request", 0.15],
]);

const JOURNEY = new Weighted<EventType>([
  ["pricing_page_view", 10], ["page_view", 20], ["email_click", 10], ["email_open", 20], ["content_download", 9],
  ["webinar_attended", 4], ["webinar_registered", 3], ["email_reply", 8], ["meeting_booked", 4], ["sales_touch", 8],
  ["form_fill", 3], ["event_attended", 1], ["ad_click", 3],
]);

const ANONYMOUS = new Weighted<EventType>([["page_view", 75], ["pricing_page_view", 10], ["ad_click", 15]]);
const INTERNAL = new Weighted<EventType>([["page_view", 40], ["pricing_page_view", 25], ["email_open", 20], ["content_download", 15]]);
const INTENT_SOURCES = new Weighted([["bombora", 55], ["g2", 30], ["trustradius", 15]] as const);
const BLOG_PATHS = BLOG_SLUGS.map((s) => `/blog/${s}`);
const FORMS = ["/contact", "/newsletter", "/roi-calculator", "/partners"] as const;
const TOUCHES = ["call", "email-sequence", "linkedin-message", "voicemail"] as const;

class ActivityBuilder {
  private readonly events: DemoEvent[] = [];
  private readonly intent: DemoIntentSignal[] = [];
  private readonly intentKeys = new Set<string>();
  private readonly external: number[] = [];
  private readonly internal: number[] = [];
  private readonly start: number;
  /** Latent interest: how much this account engages overall (better fit, more interest). */
  private readonly interest: number;
  private readonly topics: readonly string[];
  private readonly utcOffset: number;

  constructor(
    private readonly r: Rng,
    private readonly account: AccountProfile,
    private readonly contacts: readonly DemoContact[],
    private readonly now: number,
  ) {
    contacts.forEach((c, i) => (c.internal ? this.internal : this.external).push(i));
    this.utcOffset = Math.round(account.country.utcOffset * 3600);
    this.interest = r.normal() + 0.015 * (account.fit - 50);
    this.start = now - Math.round(r.uniform(183, 365) * DAY);
    this.topics = [r.pick(INTENT_TOPICS), r.pick(INTENT_TOPICS), r.pick(INTENT_TOPICS)];
  }

  build(): AccountActivity {
    const r = this.r;
    const dealTimes = this.planDeals();
    const journeys = dealTimes.map((created) => {
      const intensity = this.interest + r.normal(0, 0.9);
      const engaged = this.journey(created, intensity, r.uniform(20, 60));
      if (r.chance(sigmoid(0.2 + intensity))) {
        const strength = Math.round(50 + 14 * intensity + r.normal(0, 12));
        for (let k = r.int(1, 2); k > 0; k--) this.signal(created - 80 * DAY, created - 2 * DAY, strength + r.int(-8, 8));
      }
      return { created, engaged };
    });
    if (r.chance(sigmoid(-1.2 + 0.9 * this.interest + 0.02 * (this.account.fit - 50)))) {
      const intensity = this.interest + r.normal(0, 0.7);
      this.journey(this.now, intensity, r.uniform(14, 45));
      this.signal(this.now - 30 * DAY, this.now, Math.round(60 + 12 * intensity + r.normal(0, 10)));
    }
    for (let k = r.poisson(Math.exp(0.2 + 0.5 * this.interest)); k > 0; k--) {
      this.signal(this.now - 90 * DAY, this.now, Math.round(40 + 15 * this.interest + r.normal(0, 15)));
    }
    this.background();

    // Outcomes in time order: each sees only what happened before its deal was created,
    // including the meetings of earlier deals.
    const deals: DemoDeal[] = [];
    let wonBefore = false;
    for (const { created, engaged } of journeys) {
      const deal = this.deal(created, engaged, wonBefore);
      wonBefore ||= deal.outcome === "WON";
      deals.push(deal);
    }
    this.events.sort((a, b) => a.t - b.t);
    this.intent.sort((a, b) => a.t - b.t);
    return { events: this.events, intent: this.intent, deals };
  }

  /** Creation times of this account's deals, oldest first, at least 25 days apart. */
  private planDeals(): number[] {
    const r = this.r;
    const count = Math.min(4, r.poisson(0.95 * Math.exp(0.35 * this.interest + 0.012 * (this.account.fit - 50))));
    const earliest = this.start + 30 * DAY;
    const latest = this.now - 2 * DAY;
    const times: number[] = [];
    for (let k = 0; k < count; k++) times.push(this.time(earliest, latest));
    times.sort((a, b) => a - b);
    const spaced: number[] = [];
    for (const t of times) {
      const previous = spaced[spaced.length - 1];
      const at = previous !== undefined && t - previous < 25 * DAY ? previous + 25 * DAY : t;
      if (at < latest) spaced.push(at);
    }
    return spaced;
  }

  /** Steady marketing engagement over the whole window, plus anonymous and internal traffic. */
  private background(): void {
    const r = this.r;
    const years = (this.now - this.start) / (365 * DAY);
    const rate = Math.exp(0.55 * this.interest);
    for (const c of this.external) {
      const n = r.poisson(4.8 * this.contacts[c]!.activity * rate * years);
      for (let k = 0; k < n; k++) {
        const type = BACKGROUND.sample(r);
        const t = this.time(this.start, this.now);
        if (type === "meeting_booked") this.meeting(c, t);
        else this.emit(type, c, t);
      }
    }
    for (let k = r.poisson(5 * rate * years); k > 0; k--) this.emit(ANONYMOUS.sample(r), -1, this.time(this.start, this.now, false));
    for (const c of this.internal) {
      for (let k = r.poisson(4 * years); k > 0; k--) this.emit(INTERNAL.sample(r), c, this.time(this.start, this.now));
    }
  }

  /**
   * A buying journey ending at `end`: committee members engage (more of them, and more
   * intensely, the higher `intensity`), someone may request a demo, meetings get booked.
   * Returns the contacts who engaged.
   */
  private journey(end: number, intensity: number, days: number): number[] {
    const r = this.r;
    const from = Math.max(this.start, end - Math.round(days * DAY));
    const engaged: number[] = [];
    for (const c of this.external) {
      const contact = this.contacts[c]!;
      const roleBoost = contact.role && COMMITTEE_ROLES.has(contact.role) ? 0.6 : contact.role ? 0 : -0.8;
      if (!r.chance(sigmoid(-0.6 + intensity + roleBoost + 0.3 * Math.log(contact.activity)))) continue;
      engaged.push(c);
      for (let k = 1 + r.poisson(1.5 + 1.8 * Math.max(0, intensity)); k > 0; k--) {
        const type = JOURNEY.sample(r);
        const t = this.time(from, end);
        if (type === "meeting_booked") this.meeting(c, t);
        else this.emit(type, c, t);
      }
    }
    const requesters = engaged.filter((c) => {
      const role = this.contacts[c]!.role;
      return role === "CHAMPION" || role === "TECHNICAL_EVALUATOR" || role === "DECISION_MAKER";
    });
    if (requesters.length > 0 && r.chance(sigmoid(-1 + 0.9 * intensity))) {
      const who = r.pick(requesters);
      const t = this.time(from, end);
      this.emit("demo_request", who, t);
      this.meeting(who, Math.min(t + r.int(1, 4) * DAY, this.now), "product-demo");
    }
    if (this.account.industry.name === "Software" && engaged.length > 0 && r.chance(sigmoid(-1.5 + 0.7 * intensity))) {
      this.emit("trial_signup", r.pick(engaged), this.time(from, end));
    }
    for (let k = r.poisson(0.8 + 0.8 * Math.max(0, intensity)); k > 0; k--) {
      this.emit(r.chance(0.6) ? "pricing_page_view" : "page_view", -1, this.time(from, end, false));
    }
    return engaged;
  }

  private deal(created: number, engaged: readonly number[], wonBefore: boolean): DemoDeal {
    const r = this.r;
    const signals = this.dealSignals(created);
    const won = r.chance(sigmoid(winLogit(signals) + r.normal(0, 0.6)));
    const velocityDays = clamp(won ? r.logNormal(55, 0.45) : r.logNormal(72, 0.55), 20, 180);
    const closesAt = created + Math.round(velocityDays * DAY);
    const outcome: DealOutcome = closesAt > this.now ? "OPEN" : won ? "WON" : "LOST";
    const until = Math.min(closesAt, this.now);

    // Work on the deal: meetings, replies and sales touches, more of them on deals that win.
    const people = engaged.length > 0 ? engaged : this.external;
    if (people.length > 0) {
      for (let k = r.poisson(won ? 2.2 : 1.0); k > 0; k--) this.meeting(r.pick(people), this.time(created, until));
      for (let k = r.poisson(won ? 2.5 : 1.2); k > 0; k--) this.emit("email_reply", r.pick(people), this.time(created, until));
      for (let k = r.poisson(won ? 1.5 : 0.8); k > 0; k--) this.emit("pricing_page_view", r.pick(people), this.time(created, until));
      for (let k = r.poisson(1.5 + (until - created) / (30 * DAY)); k > 0; k--) this.emit("sales_touch", r.pick(people), this.time(created, until));
    }

    const sizeMedian = 9_000 * Math.pow(this.account.employees / 100, 0.42) * (this.account.tier === "A" ? 1.3 : this.account.tier === "C" ? 0.8 : 1);
    const amount = Math.round(clamp(r.logNormal(sizeMedian, 0.55), 5_000, 500_000) / 100) * 100;
    const product = wonBefore ? "Expansion" : r.pick(DEAL_PRODUCTS);
    const year = new Date(created * 1000).getUTCFullYear();
    const ageDays = (this.now - created) / DAY;
    const stage = outcome === "WON" ? "Closed Won" : outcome === "LOST" ? "Closed Lost"
      : OPEN_STAGES[ageDays < 14 ? 0 : ageDays < 35 ? 1 : ageDays < 60 ? 2 : ageDays < 90 ? 3 : 4]!;
    return {
      name: `${this.account.name} – ${product} ${year}`,
      amount,
      stage,
      outcome,
      created,
      closed: outcome === "OPEN" ? null : closesAt,
    };
  }

  /** The facts a point-in-time model sees at `asOf`: the 90 days before it, bots and our staff excluded. */
  dealSignals(asOf: number): DealSignals {
    const from = asOf - LOOKBACK;
    const points = new Float64Array(this.contacts.length);
    let demoRequests = 0;
    let pricingViews = 0;
    let meetingsHeld = 0;
    for (const e of this.events) {
      if (e.t < from || e.t >= asOf || e.botReason !== null) continue;
      if (e.contact >= 0 && this.contacts[e.contact]!.internal) continue;
      if (e.type === "demo_request") demoRequests++;
      else if (e.type === "pricing_page_view") pricingViews++;
      else if (e.type === "meeting_held") meetingsHeld++;
      if (e.contact >= 0) points[e.contact]! += ENGAGEMENT_POINTS[e.type];
    }
    let engagedContacts = 0;
    let decisionMakerEngaged = false;
    let championEngaged = false;
    let technicalEvaluatorEngaged = false;
    points.forEach((p, c) => {
      if (p < 3) return;
      engagedContacts++;
      const role = this.contacts[c]!.role;
      if (role === "DECISION_MAKER" || role === "ECONOMIC_BUYER") decisionMakerEngaged = true;
      else if (role === "CHAMPION") championEngaged = true;
      else if (role === "TECHNICAL_EVALUATOR") technicalEvaluatorEngaged = true;
    });
    let intentMax = 0;
    for (const s of this.intent) if (s.t >= from && s.t < asOf && s.strength > intentMax) intentMax = s.strength;
    return {
      fit: this.account.fit, engagedContacts, decisionMakerEngaged, championEngaged, technicalEvaluatorEngaged,
      demoRequests, pricingViews, meetingsHeld, intentMax,
    };
  }

  /** A booked meeting, held a few days later if the prospect shows up (likelier when they fit and care). */
  private meeting(contact: number, bookedAt: number, kind?: string): void {
    const r = this.r;
    const what = kind ?? r.pick(MEETING_KINDS);
    this.events.push({ t: bookedAt, type: "meeting_booked", contact, channel: "sales", asset: what, source: "chilipiper", botReason: null });
    const heldFrom = bookedAt + DAY;
    const heldTo = bookedAt + 10 * DAY;
    const shows = r.chance(sigmoid(0.4 + 0.025 * (this.account.fit - 50) + 0.5 * this.interest));
    if (shows && heldFrom < this.now) {
      this.events.push({ t: this.time(heldFrom, Math.min(heldTo, this.now)), type: "meeting_held", contact, channel: "sales", asset: what, source: "salesforce", botReason: null });
    }
  }

  private emit(type: EventType, contact: number, t: number): void {
    const r = this.r;
    let botReason: string | null = null;
    if (contact >= 0 && !this.contacts[contact]!.internal) {
      if (type === "email_open" && r.chance(BOT_OPEN_SHARE)) botReason = BOT_OPEN_REASONS.sample(r);
      else if (type === "email_click" && r.chance(BOT_CLICK_SHARE)) botReason = "security scanner user agent";
    }
    let channel = "web";
    let asset: string;
    let source = "segment";
    switch (type) {
      case "email_open":
      case "email_click":
        channel = "email"; asset = r.pick(EMAIL_CAMPAIGNS); source = "marketo"; break;
      case "email_reply":
        channel = "email"; asset = r.pick(["outbound-sequence-icp", "meeting-follow-up", "proposal-thread"]); source = "salesforce"; break;
      case "page_view":
        asset = r.chance(0.45) ? r.pick(BLOG_PATHS) : r.pick(WEB_PAGES); break;
      case "pricing_page_view":
        asset = r.chance(0.8) ? "/pricing" : "/pricing/enterprise"; break;
      case "content_download":
        asset = r.pick(CONTENT_ASSETS); source = "marketo"; break;
      case "webinar_registered":
      case "webinar_attended":
        channel = "events"; asset = r.pick(WEBINARS); source = "on24"; break;
      case "form_fill":
        asset = r.pick(FORMS); source = "marketo"; break;
      case "demo_request":
        asset = "/demo"; source = "marketo"; break;
      case "trial_signup":
        asset = "/signup"; break;
      case "ad_click":
        channel = "ads"; asset = r.pick(AD_CAMPAIGNS);
        source = asset.includes("linkedin") ? "linkedin" : asset.includes("google") ? "google-ads" : asset.includes("g2") ? "g2" : "capterra";
        break;
      case "event_attended":
        channel = "events"; asset = r.pick(EVENTS); source = "salesforce"; break;
      case "sales_touch":
        channel = "sales"; asset = r.pick(TOUCHES); source = r.chance(0.6) ? "outreach" : "salesforce"; break;
      case "meeting_booked":
      case "meeting_held":
        channel = "sales"; asset = r.pick(MEETING_KINDS); source = "salesforce"; break;
    }
    this.events.push({ t, type, contact, channel, asset, source, botReason });
  }

  /** One intent observation in [from, to]; Bombora reports weekly, on Mondays at midnight UTC. */
  private signal(from: number, to: number, strength: number): void {
    const r = this.r;
    if (this.intent.length >= MAX_INTENT_SIGNALS) return;
    from = Math.max(from, this.start - 30 * DAY);
    to = Math.min(to, this.now);
    if (to <= from) return;
    const source = INTENT_SOURCES.sample(r);
    const topic = r.chance(0.7) ? r.pick(this.topics) : r.pick(INTENT_TOPICS);
    let t = this.time(from, to);
    if (source === "bombora") {
      const day = Math.floor(t / DAY);
      t = (day - ((day + 3) % 7)) * DAY; // back to Monday (epoch day 0 was a Thursday)
      if (t < from) return;
    }
    const key = `${topic}|${t}|${source}`;
    if (this.intentKeys.has(key)) return;
    this.intentKeys.add(key);
    this.intent.push({ topic, strength: clamp(strength, 1, 100), t, source });
  }

  /**
   * A moment in [from, to): a weekday-weighted day, then a local time of day (business hours,
   * or any hour for web traffic some of the time), converted to UTC by the account's offset.
   */
  private time(from: number, to: number, business = true): number {
    const r = this.r;
    if (to - from <= 1) return from;
    const off = this.utcOffset;
    const firstDay = Math.floor((from + off) / DAY);
    const days = Math.floor((to - 1 + off) / DAY) - firstDay + 1;
    let day = firstDay;
    for (let attempt = 0; attempt < 6; attempt++) {
      day = firstDay + Math.floor(r.next() * days);
      if (r.next() < WEEKDAY_WEIGHT[(((day + 4) % 7) + 7) % 7]!) break;
    }
    let hour = business || r.chance(0.7) ? r.normal(11.5, 2.5) : r.uniform(0, 24);
    if (hour < 6 || hour > 21.5) hour = r.uniform(8, 18);
    const t = day * DAY + Math.floor(hour * 3600) - off;
    return t >= from && t < to ? t : from + Math.floor(r.next() * (to - from));
  }
}
