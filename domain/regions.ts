/** How a region is named in configuration: Azure's programmatic names (`eastus`, `westeurope`). */
export const REGION_NAME = /^[a-z0-9]{2,40}$/;

/** Azure's 55 public regions (docs/process.md, Regions): the default replication targets. */
export const DEFAULT_REGIONS: readonly string[] = [
  'australiacentral', 'australiacentral2', 'australiaeast', 'australiasoutheast', 'austriaeast',
  'belgiumcentral', 'brazilsouth', 'brazilsoutheast', 'canadacentral', 'canadaeast', 'centralindia', 'centralus',
  'chilecentral', 'eastasia', 'eastus', 'eastus2', 'francecentral', 'francesouth', 'germanynorth',
  'germanywestcentral', 'indonesiacentral', 'israelcentral', 'italynorth', 'japaneast', 'japanwest',
  'koreacentral', 'koreasouth', 'malaysiawest', 'mexicocentral', 'newzealandnorth', 'northcentralus',
  'northeurope', 'norwayeast', 'norwaywest', 'polandcentral', 'qatarcentral', 'southafricanorth',
  'southafricawest', 'southcentralus', 'southindia', 'southeastasia', 'spaincentral', 'swedencentral',
  'switzerlandnorth', 'switzerlandwest', 'uaecentral', 'uaenorth', 'uksouth', 'ukwest', 'westcentralus',
  'westeurope', 'westindia', 'westus', 'westus2', 'westus3',
];
