import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, getNamedType, isListType, getNullableType, type GraphQLSchema, type ValidationRule } from "graphql";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import type { Config } from "../config/config";
import { inputGuard } from "./input-guard";

/** Assumed length of a list field without `first` (an account's contacts, deals, …). */
const UNPAGED_LIST_FACTOR = 10;

/**
 * What one request may ask for: depth, aliases and directives (graphql-armor), tokens (the
 * parser's own limit), a cost in which a list multiplies its children by the rows it can
 * return, and argument values any field can store (input-guard.ts).
 */
export function requestLimits(config: Config, schema: GraphQLSchema): {
  validationRules: ValidationRule[]; plugins: ApolloServerPlugin[]; parseOptions: { maxTokens: number };
} {
  const armor = new ApolloArmor({
    maxDepth: { n: config.limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: config.limits.maxAliases },
    maxDirectives: { n: config.limits.maxDirectives },
    // Armor's Apollo token plugin parses in parsingDidStart, where any syntax error it meets
    // escapes as an unexpected error: HTTP 500 for a typo. graphql-js counts tokens itself.
    maxTokens: { enabled: false },
    costLimit: { enabled: false }, // replaced by the list-aware cost below
    blockFieldSuggestion: { enabled: config.nodeEnv === "production" },
  });
  const protection = armor.protect();
  return {
    validationRules: protection.validationRules as ValidationRule[],
    plugins: [...(protection.plugins as ApolloServerPlugin[]), costLimit(config, schema), inputGuard(), parseOverflowMessage()],
    parseOptions: { maxTokens: config.limits.maxTokens },
  };
}

/**
 * graphql-js parses recursively, so a document nesting a literal a few thousand levels deep
 * (within the token limit) overflows the stack. Apollo catches that as GRAPHQL_PARSE_FAILED
 * with the RangeError's message; this says what to change instead.
 */
function parseOverflowMessage(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single" || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) =>
            e.extensions?.code === "GRAPHQL_PARSE_FAILED" && /call stack/i.test(e.message)
              ? { ...e, message: "Syntax Error: the document nests values too deeply to parse; send flatter values." }
              : e);
        },
      };
    },
  };
}

/**
 * A field's cost: 1 plus its children's, times the rows it can return — `first` (or the
 * default page size) on paginated fields, a fixed factor on other lists. Example:
 * `accounts(first: 100) { edges { node { contacts { email } } } }` costs about
 * 100 × (1 + 1 + 10 × 1) ≈ 1,200.
 */
export function listAwareEstimator(defaultPage: number, maxPage: number): ComplexityEstimator {
  return ({ field, args, childComplexity }) => {
    // A connection's `edges` list is as long as its `first`, already counted on the parent.
    if (field.name === "edges") return 1 + childComplexity;
    if (typeof args.first === "number") return 1 + childComplexity * Math.min(Math.max(1, args.first), maxPage); // over the cap, the field itself says so
    if (field.args.some((a) => a.name === "first")) return 1 + childComplexity * defaultPage;
    return isListType(getNullableType(field.type)) && !isLeaf(field.type) ? 1 + childComplexity * UNPAGED_LIST_FACTOR : undefined;
  };
}

function isLeaf(type: Parameters<typeof getNamedType>[0]): boolean {
  const named = getNamedType(type);
  return named === undefined || !("getFields" in named);
}

function costLimit(config: Config, schema: GraphQLSchema): ApolloServerPlugin {
  const estimators = [listAwareEstimator(config.pageSize.default, config.pageSize.max), simpleEstimator({ defaultComplexity: 1 })];
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let cost: number;
          try {
            cost = getComplexity({ schema, query: document, variables: request.variables ?? {}, operationName: request.operationName ?? undefined, estimators });
          } catch {
            // Variables that do not coerce (a date without an offset, say): execution reports
            // them as BAD_USER_INPUT with the variable's name, which says more than we could here.
            return;
          }
          if (cost > config.limits.maxCost) {
            throw new GraphQLError(`This query would cost ${cost}, over the limit of ${config.limits.maxCost}: ask for smaller pages (first) or fewer nested lists.`, {
              extensions: { code: "QUERY_TOO_COSTLY", cost, limit: config.limits.maxCost, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
