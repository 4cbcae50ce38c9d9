/** The `temporal` CLI against the run's dev server, as an operator would use it. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testServices } from './services';

const run = promisify(execFile);

/** Runs one command with `--output json` and returns its parsed output (undefined when it prints none). */
export async function temporalCli<T>(...args: string[]): Promise<T> {
  const s = testServices();
  const { stdout } = await run(s.temporalCliPath, [...args, '--address', s.temporalAddress, '--namespace', s.namespace, '--output', 'json']);
  return (stdout.trim() === '' ? undefined : JSON.parse(stdout)) as T;
}
