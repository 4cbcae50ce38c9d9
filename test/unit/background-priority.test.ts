/** dev-stack/processes.ts: background services run niced, in their session (autogroup) too, so the API gets a core first. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backgroundNice, spawnService, type ServiceHandle } from '../../dev-stack/processes';

/** The nice value of each thread of `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(pid: number): number[] {
  return fs.readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

/** The session's autogroup nice ("/autogroup-N nice K"), or undefined where the kernel has none. */
function autogroupNice(pid: number): number | undefined {
  const file = `/proc/${pid}/autogroup`;
  return fs.existsSync(file) ? Number(/nice (-?\d+)/.exec(fs.readFileSync(file, 'utf8'))?.[1]) : undefined;
}

const linux = process.platform === 'linux' ? describe : describe.skip;

linux('background services yield the CPU (spawnService nice)', () => {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'priority-'));
  const handles: ServiceHandle[] = [];
  afterAll(async () => {
    await Promise.all(handles.map((h) => h.stop()));
    fs.rmSync(logDir, { recursive: true, force: true });
  });
  /** A node process that starts its worker threads and then idles until stopped. */
  const sleeper = async (nice?: number) => {
    const h = spawnService({ name: 'sleeper', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], logFile: path.join(logDir, 'sleeper.log'), nice });
    handles.push(h);
    // Until node has exec'd (the `nice` utility execs it) and started its threads.
    for (let i = 0; i < 100 && !(fs.readFileSync(`/proc/${h.pid}/cmdline`, 'utf8').includes('setInterval') && threadNices(h.pid).length > 1); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return h;
  };
  const own = os.getPriority();

  it('every thread of a niced child runs at the nice value, and so does its session', async () => {
    const h = await sleeper(7);
    const nices = threadNices(h.pid);
    expect(nices.length).toBeGreaterThan(1);
    // `nice -n 7` adds to this process's own value, capped at 19.
    expect(new Set(nices)).toEqual(new Set([Math.min(19, own + 7)]));
    // A detached child is a session, so an autogroup, of its own: with autogroups the kernel shares
    // CPU between sessions first, and only the session's value ranks it against the API.
    const group = autogroupNice(h.pid);
    if (group !== undefined) expect(group).toBe(7);
  });

  it('a child without it keeps this process’s priority (the API under npm start)', async () => {
    const h = await sleeper();
    expect(new Set(threadNices(h.pid))).toEqual(new Set([own]));
    const group = autogroupNice(h.pid);
    if (group !== undefined) expect(group).toBe(0);
  });
});

describe('BACKGROUND_NICE', () => {
  it('defaults to 10, and 0 turns it off', () => {
    expect(backgroundNice({})).toBe(10);
    expect(backgroundNice({ BACKGROUND_NICE: ' ' })).toBe(10);
    expect(backgroundNice({ BACKGROUND_NICE: '0' })).toBe(0);
    expect(backgroundNice({ BACKGROUND_NICE: '19' })).toBe(19);
  });

  it.each(['20', '-5', '2.5', 'low'])('refuses %p with what it takes', (value) => {
    expect(() => backgroundNice({ BACKGROUND_NICE: value })).toThrow(/BACKGROUND_NICE must be a whole number from 0 to 19/);
  });
});
