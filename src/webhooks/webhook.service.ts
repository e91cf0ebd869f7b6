import type { Config } from "../platform/config/config";
import type { Database } from "../platform/db/database";
import { BadInputError, NotFoundError } from "../platform/errors/errors";
import { decodeCursor, encodeCursor, pageSize, toPage, withLazyCount } from "../platform/graphql/connection";
import { isRowId } from "../platform/graphql/ids";
import type { WebhookInput } from "./webhook.inputs";
import { newSecret } from "./signature";
import { checkTarget } from "./target-guard";
import type { CreatedWebhook, DeliveryStatus, Webhook, WebhookDelivery, WebhookDeliveryConnection } from "./webhook.types";

const WEBHOOK_COLUMNS = `w.id::text AS id, w.url, w.events, w.bands, w.causes, w.description, w.enabled, w.created_at AS "createdAt", w.updated_at AS "updatedAt"`;
/** Never the secret: deliveries are listed to ADMIN keys, logged by nobody. */
const DELIVERY_COLUMNS = `d.id::text AS id, d.webhook_id::text AS "webhookId", d.message_id AS "messageId", e.type AS event, d.event_id::text AS "eventId",
  d.status, d.attempts, d.next_attempt_at AS "nextAttemptAt", d.last_attempt_at AS "lastAttemptAt", d.last_response_status AS "lastResponseStatus",
  d.last_error AS "lastError", d.delivered_at AS "deliveredAt", d.created_at AS "createdAt", e.body`;

const MAX_BANDS = 50;

/** Webhooks and their deliveries: what ADMIN keys manage. Delivery itself is WebhookDispatcher's. */
export class WebhookService {
  constructor(private readonly db: Database, private readonly config: Config) {}

  /** Saves a webhook and returns its signing secret, the only time it is shown. */
  async create(input: WebhookInput, createdBy: string | null): Promise<CreatedWebhook> {
    const v = await this.validate(input);
    const secret = newSecret();
    const [row] = await this.db.query<Webhook>(
      `INSERT INTO webhooks AS w (url, secret, events, bands, causes, description, enabled, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${WEBHOOK_COLUMNS}`,
      [v.url, secret, v.events, v.bands, v.causes, v.description, v.enabled, createdBy]);
    return { webhook: row!, secret };
  }

  async update(id: string, input: WebhookInput): Promise<Webhook> {
    const v = await this.validate(input);
    const rows = isRowId(id)
      ? await this.db.query<Webhook>(
          `UPDATE webhooks w SET url = $2, events = $3, bands = $4, causes = $5, description = $6, enabled = $7, updated_at = now()
            WHERE w.id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
          [id, v.url, v.events, v.bands, v.causes, v.description, v.enabled])
      : [];
    if (!rows[0]) throw new NotFoundError("Webhook", id);
    return rows[0];
  }

  /** Deletes a webhook and its deliveries (pending ones are not sent). */
  async delete(id: string): Promise<boolean> {
    const rows = isRowId(id) ? await this.db.query("DELETE FROM webhooks WHERE id = $1 RETURNING id", [id]) : [];
    if (!rows[0]) throw new NotFoundError("Webhook", id);
    return true;
  }

  list(): Promise<Webhook[]> {
    return this.db.query<Webhook>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks w ORDER BY w.id`);
  }

  /** Deliveries, newest first, optionally of one webhook and in one status. */
  async deliveries(filter: { webhookId?: string | null; status?: DeliveryStatus | null }, first: number | undefined, after: string | undefined): Promise<WebhookDeliveryConnection> {
    const limit = pageSize(first, this.config.pageSize);
    if (filter.webhookId != null && !isRowId(filter.webhookId)) throw new BadInputError(`webhookId must be a webhook id (got "${filter.webhookId.slice(0, 40)}")`, { field: "webhookId" });
    const before = after ? String(decodeCursor(after, 1)[0]) : null;
    if (before !== null && !isRowId(before)) throw new BadInputError("The cursor is not valid for this list; pass an endCursor from the same query.", { field: "after" });
    const where = "($1::bigint IS NULL OR d.webhook_id = $1) AND ($2::text IS NULL OR d.status = $2)";
    const params: unknown[] = [filter.webhookId ?? null, filter.status ?? null];
    const rows = await this.db.query<WebhookDelivery>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id
        WHERE ${where} AND ($3::bigint IS NULL OR d.id < $3) ORDER BY d.id DESC LIMIT $4`, [...params, before, limit + 1]);
    const page = toPage(rows, limit, after, (r) => encodeCursor([r.id]), (r) => r);
    return withLazyCount(page, () => this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries d WHERE ${where}`, params).then((r) => r[0]!.n));
  }

  /**
   * Queues a delivery again, whatever its status, with the same `webhook-id` and body: due now,
   * with a fresh budget of attempts.
   */
  async redeliver(id: string): Promise<WebhookDelivery> {
    const rows = isRowId(id)
      ? await this.db.query<WebhookDelivery>(
          `WITH d AS (UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = now(), requeued_at_attempt = attempts, delivered_at = NULL
                       WHERE id = $1 RETURNING *)
           SELECT ${DELIVERY_COLUMNS} FROM d JOIN outbox_events e ON e.id = d.event_id`, [id])
      : [];
    if (!rows[0]) throw new NotFoundError("Webhook delivery", id);
    await this.db.query("SELECT pg_notify('quorum_webhook_deliveries', '')");
    return rows[0];
  }

  /**
   * Deletes events created before `before` that no delivery is waiting for (their delivery
   * rows go with them). For a retention schedule; returns how many events were deleted.
   */
  async prune(before: Date): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM outbox_events e WHERE e.created_at < $1
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'PENDING')
       RETURNING e.id`, [before]);
    return rows.length;
  }

  private async validate(input: WebhookInput) {
    await checkTarget(input.url, this.config.webhooks.allowPrivateTargets);
    if (input.events.length === 0) throw new BadInputError("events must name at least one event type.", { field: "events" });
    const bands = input.bands ?? [];
    const causes = input.causes ?? [];
    for (const [field, list] of [["events", input.events], ["bands", bands], ["causes", causes]] as [string, readonly string[]][]) {
      const twice = list.find((x, i) => list.indexOf(x) !== i);
      if (twice !== undefined) throw new BadInputError(`${field} names "${String(twice).slice(0, 40)}" twice; name each once.`, { field });
    }
    if (bands.length > MAX_BANDS) throw new BadInputError(`bands may name at most ${MAX_BANDS} bands.`, { field: "bands" });
    for (const band of bands) {
      if (band.trim() === "" || band.length > 100) throw new BadInputError(`bands must be band names of 1 to 100 characters (got "${band.slice(0, 40)}").`, { field: "bands" });
    }
    if (input.description != null && input.description.length > 1_000) throw new BadInputError("description is longer than 1,000 characters.", { field: "description" });
    return {
      url: input.url,
      events: input.events,
      bands,
      causes,
      description: input.description ?? null,
      enabled: input.enabled ?? true,
    };
  }
}
