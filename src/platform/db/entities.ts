import { ApiKeyEntity } from "../../auth/api-key.entity";

/** Every TypeORM entity; the schema itself comes from the SQL migrations, never `synchronize`. */
export const entities = [ApiKeyEntity];
