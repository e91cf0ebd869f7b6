/** Who is signed in, and what the console offers them. The API decides; this only hides buttons it would refuse. */

export type Role = "VIEWER" | "INGEST" | "ANALYST" | "COUNCIL" | "ADMIN";
export interface Caller { keyId: string | null; name: string; role: Role }

let current: Caller | null = null;

export const caller = (): Caller | null => current;
export const setCaller = (c: Caller | null): void => { current = c; };

/** Review proposals, activate and roll back: COUNCIL and ADMIN. */
export const canReview = (): boolean => current?.role === "COUNCIL" || current?.role === "ADMIN";
/** Create models and submit hand-written drafts for review: ANALYST, COUNCIL and ADMIN. */
export const canAnalyze = (): boolean => current?.role === "ANALYST" || canReview();
/** Break-glass activation with a recorded reason: ADMIN only. */
export const isAdmin = (): boolean => current?.role === "ADMIN";
/** Everything but INGEST reads. */
export const canRead = (): boolean => !!current && current.role !== "INGEST";
