import type { AuthChecker } from "type-graphql";
import type { RequestContext } from "../platform/graphql/context";
import { ForbiddenError, UnauthenticatedError } from "../platform/errors/errors";
import { type Permission, roleAllows, rolesWith } from "./roles";

/**
 * Runs only on root fields marked `@Authorized(Permission.X)` — never as a global middleware,
 * which would wrap every field of every row.
 */
export const authChecker: AuthChecker<RequestContext, Permission> = ({ context }, permissions) => {
  const { principal, problem } = context.auth;
  if (!principal) throw new UnauthenticatedError(problem);
  for (const permission of permissions) {
    if (!roleAllows(principal.role, permission)) {
      throw new ForbiddenError(`This needs a key with role ${rolesWith(permission).join(" or ")}; the key "${principal.name}" has role ${principal.role}.`);
    }
  }
  return true;
};
