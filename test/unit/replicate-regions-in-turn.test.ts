/** A lane's several-region copy activity (activities/provision): in turn, stopping at the first failure. */
import { CancelledFailure } from '@temporalio/common';
import { replicateRegionsInTurn } from '../../activities/provision';
import type { ReplicateRegionResult } from '../../domain/pipeline';

const copied = (region: string): ReplicateRegionResult => ({ region, disks: 1, bytes: 10, skipped: 0 });

function control() {
  const abort = new AbortController();
  const beats: number[] = [];
  return { abort, beats, ctl: { heartbeat: () => beats.push(Date.now()), signal: abort.signal } };
}

describe('replicateRegionsInTurn', () => {
  it('copies the regions one after another and heartbeats between them', async () => {
    const { ctl, beats } = control();
    const order: string[] = [];
    const result = await replicateRegionsInTurn(['eastus', 'westeurope', 'japaneast'], async (r) => (order.push(r), copied(r)), ctl);
    expect(order).toEqual(['eastus', 'westeurope', 'japaneast']);
    expect(result).toEqual({ replicated: ['eastus', 'westeurope', 'japaneast'].map(copied) });
    expect(beats).toHaveLength(2);
  });

  it('stops at the first region that fails, says which and why without secrets, and does not try the rest', async () => {
    const { ctl } = control();
    const tried: string[] = [];
    const result = await replicateRegionsInTurn(
      ['eastus', 'westeurope', 'japaneast'],
      async (r) => {
        tried.push(r);
        if (r === 'westeurope') throw new Error('copy from https://img.example/os.vhd?sv=2024&sig=SECRETSIG failed (500)');
        return copied(r);
      },
      ctl,
    );
    expect(tried).toEqual(['eastus', 'westeurope']);
    expect(result.replicated).toEqual([copied('eastus')]);
    expect(result.stopped?.region).toBe('westeurope');
    expect(result.stopped?.reason).toMatch(/failed \(500\)/);
    expect(result.stopped?.reason).not.toContain('SECRETSIG');
  });

  it('throws on a cancel instead of reporting a stop, so the workflow sees the cancellation', async () => {
    const { ctl, abort } = control();
    const run = replicateRegionsInTurn(
      ['eastus', 'westeurope'],
      async (r) => {
        abort.abort(new CancelledFailure('Activity cancelled'));
        throw new Error(`copy to ${r} aborted`);
      },
      ctl,
    );
    await expect(run).rejects.toBeInstanceOf(CancelledFailure);
  });
});
