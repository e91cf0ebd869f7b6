import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../platform/graphql/context";
import { ApiKey, Caller, CreatedApiKey } from "./api-key.type";
import { Permission, Role } from "./roles";

@Resolver()
export class ApiKeyResolver {
  @Authorized(Permission.SELF)
  @Query(() => Caller, { description: "Who is calling: the key's name and role (any valid key may ask)." })
  me(@Ctx() ctx: RequestContext): Caller {
    // The auth checker has already refused a request without a principal.
    const { keyId, name, role } = ctx.auth.principal!;
    return { keyId, name, role };
  }

  @Authorized(Permission.ADMIN)
  @Query(() => [ApiKey], { description: "Every API key, revoked ones included." })
  apiKeys(@Ctx() ctx: RequestContext): Promise<ApiKey[]> {
    return ctx.services.apiKeys.list();
  }

  @Authorized(Permission.ADMIN)
  @Mutation(() => CreatedApiKey)
  createApiKey(@Arg("name", () => String) name: string, @Arg("role", () => Role) role: Role, @Ctx() ctx: RequestContext): Promise<CreatedApiKey> {
    return ctx.services.apiKeys.create(name, role);
  }

  @Authorized(Permission.ADMIN)
  @Mutation(() => ApiKey)
  revokeApiKey(@Arg("id", () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ApiKey> {
    return ctx.services.apiKeys.revoke(id);
  }
}
