import crypto from "node:crypto";
import type { Database } from "../platform/db/database";
import { NotFoundError, BadInputError } from "../platform/errors/errors";
import { isRowId } from "../platform/graphql/ids";
import { ApiKeyEntity } from "./api-key.entity";
import { Role } from "./roles";

/** Who is calling: the key's id (null for the environment's ADMIN_API_KEY), name and role. */
export interface Principal {
  readonly keyId: string | null;
  readonly name: string;
  readonly role: Role;
}

const KEY_PREFIX = "qrm_";
const CACHE_TTL_MS = 5_000;

export function hashKey(key: string): string {
  return crypto.createHash("sha256").update(key).digest("hex");
}

/** Compares two secrets in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/**
 * API keys: created once and shown once, stored only as SHA-256 hashes, revocable.
 * Authenticated keys are cached for a few seconds so a dashboard's requests do not each
 * cost a lookup; revoking through this service evicts at once.
 */
export class ApiKeyService {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(private readonly db: Database, private readonly adminApiKey: string | undefined) {}

  async create(name: string, role: Role): Promise<{ apiKey: ApiKeyEntity; key: string }> {
    const trimmed = name.trim();
    if (trimmed === "" || trimmed.length > 200) throw new BadInputError("A key's name must be 1 to 200 characters, e.g. \"looker-dashboards\".", { field: "name" });
    const key = KEY_PREFIX + crypto.randomBytes(24).toString("base64url");
    const repo = this.db.dataSource.getRepository(ApiKeyEntity);
    const saved = await repo.save(repo.create({ name: trimmed, role, keyPrefix: key.slice(0, 12), keyHash: hashKey(key) }));
    return { apiKey: (await repo.findOneByOrFail({ id: saved.id })), key };
  }

  async revoke(id: string): Promise<ApiKeyEntity> {
    const repo = this.db.dataSource.getRepository(ApiKeyEntity);
    const found = isRowId(id) ? await repo.findOneBy({ id }) : null;
    if (!found) throw new NotFoundError("API key", id);
    if (!found.revokedAt) {
      found.revokedAt = new Date();
      await repo.update({ id }, { revokedAt: found.revokedAt });
    }
    this.cache.clear();
    return found;
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.db.dataSource.getRepository(ApiKeyEntity).find({ order: { id: "ASC" } });
  }

  /** The principal for a bearer key, or null when the key is unknown or revoked. */
  async authenticate(key: string): Promise<Principal | null> {
    if (this.adminApiKey !== undefined && constantTimeEqual(key, this.adminApiKey)) {
      return { keyId: null, name: "ADMIN_API_KEY", role: Role.ADMIN };
    }
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
    const hash = hashKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const rows = await this.db.query<{ id: string; name: string; role: Role; key_hash: string; stale: boolean }>(
      `SELECT id::text, name, role, key_hash, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
         FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    const row = rows[0];
    const principal = row && constantTimeEqual(row.key_hash, hash) ? { keyId: row.id, name: row.name, role: row.role } : null;
    if (row?.stale) void this.db.query("UPDATE api_keys SET last_used_at = now() WHERE id = $1", [row.id]).catch(() => undefined);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: Date.now() + CACHE_TTL_MS });
    return principal;
  }
}
