/** Binary byte units, defined once (workflow-safe: no imports). */
export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** A size as publishers read it: `1.5 GiB`, `20 MiB` (two decimals at most). */
export function binarySize(bytes: number): string {
  return bytes >= GiB ? `${+(bytes / GiB).toFixed(2)} GiB` : `${+(bytes / MiB).toFixed(2)} MiB`;
}
