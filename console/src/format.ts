/** How numbers, dates and enums read on the page. */

const integer = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const count = (n: number): string => integer.format(n);
export const points = (n: number): string => oneDecimal.format(n);
export const decimal = (n: number | null | undefined): string => (n === null || n === undefined ? "—" : twoDecimals.format(n));
export const percent = (share: number | null | undefined, digits = 1): string =>
  share === null || share === undefined ? "—" : `${(share * 100).toFixed(digits)}%`;
export const money = (n: number): string => new Intl.NumberFormat("en", { style: "currency", currency: "USD", maximumFractionDigits: 0 }).format(n);

export function signed(n: number, digits = 1): string {
  const text = Math.abs(n).toFixed(digits);
  return n > 0 ? `+${text}` : n < 0 ? `−${text}` : text;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  // Non-breaking hyphens and spaces: a time never wraps inside a table cell.
  return `${d.toISOString().slice(0, 10).replace(/-/g, "\u2011")}\u00a0${d.toISOString().slice(11, 16)}\u00a0UTC`;
}

export const day = (iso: string): string => new Date(iso).toISOString().slice(0, 10);

/** SOME_ENUM_VALUE → "Some enum value". */
export function words(value: string): string {
  const lower = value.replace(/_/g, " ").toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}
