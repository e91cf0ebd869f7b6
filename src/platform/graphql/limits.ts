import type { ValidationRule } from "graphql";
import type { Config } from "../config/config";

/** Validation rules that bound what one request may ask for (depth, aliases, cost). */
export function validationRules(_config: Config): ValidationRule[] {
  return [];
}
