import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import type { Role } from "./roles";

@Entity({ name: "api_keys" })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "text" })
  name!: string;

  @Column({ type: "text" })
  role!: Role;

  /** The first characters of the key, shown so people can tell keys apart. */
  @Column({ type: "text", name: "key_prefix" })
  keyPrefix!: string;

  /** SHA-256 of the whole key; the key itself is never stored. */
  @Column({ type: "text", name: "key_hash" })
  keyHash!: string;

  @Column({ type: "timestamptz", name: "created_at", insert: false, update: false })
  createdAt!: Date;

  @Column({ type: "timestamptz", name: "last_used_at", nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: "timestamptz", name: "revoked_at", nullable: true })
  revokedAt!: Date | null;
}
