import type { ApolloServerPlugin } from "@apollo/server";
import { type ArgumentNode, type DocumentNode, GraphQLError, Kind, type ValueNode, visit } from "graphql";

/**
 * The most levels a value in a request may nest, counting lists and objects (JSON scalars
 * included). The deepest input type nests 5; custom attributes get the rest. Bounding it keeps
 * every later step — JSON.stringify, jsonb parsing in PostgreSQL — off the stack limits a
 * client could otherwise push it into.
 */
export const MAX_INPUT_DEPTH = 32;

/** What is wrong with one value of a request, and where. */
export interface InputProblem {
  /** `input[1].name`: the argument or variable, then fields and list indexes. */
  readonly path: string;
  readonly message: string;
}

/**
 * Refuses text no field can store, anywhere in a request's arguments — variables and literals,
 * inside JSON scalars too — before a resolver runs: a NUL character (PostgreSQL text and jsonb
 * cannot hold U+0000) and lone UTF-16 surrogates (not Unicode; they would be stored as U+FFFD,
 * or break jsonb). Also refuses values nested deeper than MAX_INPUT_DEPTH. The error is
 * BAD_USER_INPUT naming the path, e.g. `input[3].name`, with `extensions.field` set to it.
 */
export function inputGuard(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const problem = checkVariables(request.variables ?? {}) ?? checkLiterals(document);
          if (problem) {
            throw new GraphQLError(problem.message, { extensions: { code: "BAD_USER_INPUT", field: problem.path, http: { status: 400 } } });
          }
        },
      };
    },
  };
}

/** The first problem in a request's variables (JSON values), or null. Iterative: depth is the client's to choose. */
export function checkVariables(variables: Readonly<Record<string, unknown>>): InputProblem | null {
  const stack: [unknown, string, number][] = Object.entries(variables).map(([name, value]) => [value, name, 0]);
  while (stack.length > 0) {
    const [value, path, depth] = stack.pop()!;
    if (typeof value === "string") {
      const problem = checkText(value, path);
      if (problem) return problem;
    } else if (value !== null && typeof value === "object") {
      if (depth >= MAX_INPUT_DEPTH) return tooDeep(path);
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`, depth + 1]);
      } else {
        for (const [key, v] of Object.entries(value)) {
          const problem = checkText(key, `${path} (key ${JSON.stringify(clip(key, 40))})`);
          if (problem) return problem;
          stack.push([v, `${path}.${key}`, depth + 1]);
        }
      }
    }
  }
  return null;
}

/** The first problem in the literal argument values of a document, or null. */
export function checkLiterals(document: DocumentNode): InputProblem | null {
  let problem: InputProblem | null = null;
  const check = (root: ValueNode, name: string) => {
    problem ??= checkLiteral(root, name);
  };
  visit(document, {
    Argument(node: ArgumentNode) {
      check(node.value, node.name.value);
      return false;
    },
    VariableDefinition(node) {
      if (node.defaultValue) check(node.defaultValue, `$${node.variable.name.value}`);
      return false;
    },
  });
  return problem;
}

function checkLiteral(root: ValueNode, name: string): InputProblem | null {
  const stack: [ValueNode, string, number][] = [[root, name, 0]];
  while (stack.length > 0) {
    const [node, path, depth] = stack.pop()!;
    if (node.kind === Kind.STRING) {
      const problem = checkText(node.value, path);
      if (problem) return problem;
    } else if (node.kind === Kind.LIST || node.kind === Kind.OBJECT) {
      if (depth >= MAX_INPUT_DEPTH) return tooDeep(path);
      if (node.kind === Kind.LIST) node.values.forEach((v, i) => stack.push([v, `${path}[${i}]`, depth + 1]));
      else for (const f of node.fields) stack.push([f.value, `${path}.${f.name.value}`, depth + 1]);
    }
  }
  return null;
}

function checkText(text: string, path: string): InputProblem | null {
  const found = UNSTORABLE.exec(text);
  if (!found) return null;
  return found[0] === "\u0000"
    ? { path: clip(path), message: `${clip(path)} contains a NUL character (U+0000), which text fields cannot store; remove it.` }
    : { path: clip(path), message: `${clip(path)} contains a lone UTF-16 surrogate, which is not valid Unicode; send well-formed text.` };
}

/** NUL, or half of a surrogate pair (with the u flag a whole pair is one astral code point, so only lone halves match). */
const UNSTORABLE = /[\u0000\p{Cs}]/u;

function tooDeep(path: string): InputProblem {
  return { path: clip(path), message: `${clip(path)} nests more than ${MAX_INPUT_DEPTH} levels of lists and objects; send a flatter value.` };
}

function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
