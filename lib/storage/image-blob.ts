/**
 * What a disk image must be stored as: an Azure page blob, the only blob type a VM disk can be
 * made from, and what provision's server-side copy produces in every region. Validate checks it
 * on the answer to its ranged read, provision on the blob's properties: one rule, so an image
 * validate accepts is one provision can copy.
 */

/** The answer header (and SDK property `blobType`) naming a blob's type. */
export const BLOB_TYPE_HEADER = 'x-ms-blob-type';

/** What is wrong with an image of `blobType` (undefined: not an Azure blob), in words after "The image …"; undefined when it is a page blob. */
export function imageBlobTypeProblem(blobType: string | null | undefined): string | undefined {
  if (blobType === 'PageBlob') return undefined;
  return `is ${blobType ? `a ${blobType}` : 'not an Azure blob'}; VM images must be stored as page blobs (e.g. azcopy copy … --blob-type PageBlob)`;
}
