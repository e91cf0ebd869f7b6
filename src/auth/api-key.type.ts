import { Field, ID, ObjectType } from "type-graphql";
import { Role } from "./roles";

@ObjectType({ simpleResolvers: true, description: "An API key. The key itself is shown once, when created." })
export class ApiKey {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Role) role!: Role;
  @Field(() => String, { description: "The key's first characters, to tell keys apart." }) keyPrefix!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class CreatedApiKey {
  @Field(() => ApiKey) apiKey!: ApiKey;
  @Field(() => String, { description: "The secret to send as `Authorization: Bearer <key>`. It is not stored and cannot be shown again." })
  key!: string;
}

@ObjectType({ simpleResolvers: true, description: "The API key making this request: what the console shows and offers by." })
export class Caller {
  @Field(() => ID, { nullable: true, description: "The key's id; null for the environment's ADMIN_API_KEY." }) keyId!: string | null;
  @Field(() => String) name!: string;
  @Field(() => Role) role!: Role;
}
