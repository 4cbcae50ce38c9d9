/**
 * The one way a blob's URL leaves the system (product pages, reports): without credentials. A
 * client built from a SAS connection string (REGION_STORAGE may hold one) puts the account's SAS
 * in every URL it gives, and that SAS can write.
 */

/** `scheme://host/path` of the blob: no SAS or other query, no fragment, no user info. */
export function publicBlobUrl(blob: { url: string }): string {
  const u = new URL(blob.url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
