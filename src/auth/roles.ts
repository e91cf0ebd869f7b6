import { registerEnumType } from "type-graphql";

/** Roles an API key carries (DESIGN §6). */
export enum Role {
  VIEWER = "VIEWER",
  INGEST = "INGEST",
  ANALYST = "ANALYST",
  COUNCIL = "COUNCIL",
  ADMIN = "ADMIN",
}
registerEnumType(Role, { name: "Role", description: "What an API key may do." });

/** What a root field needs; each role grants a set of these. */
export enum Permission {
  /** Read accounts, scores, runs and reports. */
  READ = "READ",
  /** Write CRM and marketing data. */
  INGEST = "INGEST",
  /** Run scoring, training and holdout assignment; create models. */
  ANALYZE = "ANALYZE",
  /** Review weight proposals and activate models. */
  REVIEW = "REVIEW",
  /** Manage API keys. */
  ADMIN = "ADMIN",
  /** See which key is calling and its role (`me`): every role, so a client can tell what to offer. */
  SELF = "SELF",
}

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  VIEWER: new Set([Permission.SELF, Permission.READ]),
  INGEST: new Set([Permission.SELF, Permission.INGEST]),
  ANALYST: new Set([Permission.SELF, Permission.READ, Permission.ANALYZE]),
  COUNCIL: new Set([Permission.SELF, Permission.READ, Permission.ANALYZE, Permission.REVIEW]),
  ADMIN: new Set(Object.values(Permission)),
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** The roles that grant a permission, for error messages. */
export function rolesWith(permission: Permission): Role[] {
  return (Object.keys(ROLE_PERMISSIONS) as Role[]).filter((r) => ROLE_PERMISSIONS[r].has(permission));
}
