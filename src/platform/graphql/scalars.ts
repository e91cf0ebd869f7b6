export { GraphQLJSONObject as JSONObject } from "graphql-scalars";
