/** Enums of the KPI report, kept free of GraphQL decorators so pure code (report assembly, tests) can use them. */

/** Where the report's model version came from. */
export enum KpiVersionSource {
  /** Named by the request (`modelId`). */
  REQUESTED = "REQUESTED",
  /** The line's version that was ACTIVE at `from`, from the activation history: the one Sales acted on. */
  ACTIVE_AT_FROM = "ACTIVE_AT_FROM",
  /** No activation of the line is recorded at or before `from`: the version the older rule picks (see versionReason). */
  NO_ACTIVATION_RECORDED = "NO_ACTIVATION_RECORDED",
}

/** Which way a KPI is better. */
export enum KpiDirection {
  HIGHER_IS_BETTER = "HIGHER_IS_BETTER",
  LOWER_IS_BETTER = "LOWER_IS_BETTER",
}
