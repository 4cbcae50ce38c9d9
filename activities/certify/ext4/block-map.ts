/** A file's logical → physical block mapping, as runs, whichever scheme (extents or indirect) it uses. */

export interface Run {
  /** First logical block of the file. */
  logical: number;
  /** First physical block. */
  physical: number;
  length: number;
  /** An uninitialized (preallocated) extent: reads as zeros. */
  uninit: boolean;
}

/** Appends a run, merging it into the previous one when both are contiguous. */
export function pushRun(runs: Run[], run: Run): void {
  const last = runs[runs.length - 1];
  if (last && last.uninit === run.uninit && last.logical + last.length === run.logical && last.physical + last.length === run.physical) {
    last.length += run.length;
  } else {
    runs.push(run);
  }
}
