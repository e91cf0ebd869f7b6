import type { NonEmptyArray } from "type-graphql";
import { AccountResolver } from "../../accounts/account.resolver";
import { ApiKeyResolver } from "../../auth/api-key.resolver";
import { ContactResolver } from "../../contacts/contact.resolver";

/** Every resolver class of the API. Features add theirs here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  AccountResolver,
  ContactResolver,
  ApiKeyResolver,
];
