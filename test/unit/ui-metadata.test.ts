/** The texts the Temporal UI shows for a run stay on one line, however the publisher wrote the title. */
import { currentDetails, publishSummary, replicationSummary } from '../../domain/ui-metadata';

describe('Temporal UI metadata texts', () => {
  it('keeps the static summary on one bounded line', () => {
    const summary = publishSummary('contoso', 'web-appliance', `Contoso\nWeb\tAppliance ${'x'.repeat(500)}`);
    expect(summary).not.toMatch(/[\n\t]/);
    expect(summary.length).toBeLessThanOrEqual(200);
    expect(summary).toMatch(/^Publish offer web-appliance "Contoso Web Appliance x+…" of publisher contoso$/);
  });

  it('names the step and the status, and a copy by region and disks', () => {
    expect(currentDetails({ currentStep: 'provision', status: 'Running' })).toBe('Step: provision (Provisioning) · Status: Running');
    const disks = [{ skuId: 's', version: '1.0.0', role: 'os' as const, field: 'f', blobName: 's/1.0.0/os.vhd' }];
    expect(replicationSummary('eastus', disks)).toBe('Replicate to eastus: s/1.0.0/os.vhd');
  });
});
