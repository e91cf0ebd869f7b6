/**
 * The console's only way to the data: POST /graphql with the signed-in key, so every rule the API
 * enforces (roles, the council's gate) holds here too. The key lives in sessionStorage: it is gone
 * when the tab closes, and signing out removes it.
 */

const KEY = "quorum.apiKey";

export interface GraphQLErrorBody { message: string; extensions?: { code?: string } }

/** What the API said, in its words; `code` is the GraphQL error code (FORBIDDEN, BAD_USER_INPUT, …). */
export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export const storedKey = (): string | null => sessionStorage.getItem(KEY);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY);

let onUnauthenticated: (message: string) => void = () => {};
/** Called when the API no longer accepts the key (revoked): the shell signs out. */
export function whenUnauthenticated(handler: (message: string) => void): void {
  onUnauthenticated = handler;
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}, key = storedKey()): Promise<T> {
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("Cannot reach the Quorum server. Check that it is running and try again.", "NETWORK");
  }
  let body: { data?: T; errors?: GraphQLErrorBody[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered HTTP ${response.status} without a GraphQL response.`, `HTTP_${response.status}`);
  }
  const first = body.errors?.[0];
  if (first) {
    const error = new ApiError(first.message, first.extensions?.code ?? `HTTP_${response.status}`);
    if (error.code === "UNAUTHENTICATED" && key === storedKey()) onUnauthenticated(error.message);
    throw error;
  }
  if (!body.data) throw new ApiError(`The server answered HTTP ${response.status} with no data.`, `HTTP_${response.status}`);
  return body.data;
}
