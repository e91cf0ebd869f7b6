/** The council's public surface for other features: the impact preview a proposal stores. */
export { computeImpact, type ImpactData, impactSentence } from "./impact.sql";
