import { ApiProperty } from '@nestjs/swagger';

export class LiveAllocationDto {
  @ApiProperty() portId: string;
  @ApiProperty() mac: string;
  @ApiProperty({ enum: ['reserved', 'allocated'] }) state: 'reserved' | 'allocated';
  @ApiProperty() stateChangedAt: Date;
}

export class MacMismatchDto {
  @ApiProperty() portId: string;
  @ApiProperty() allocatedMac: string;
  @ApiProperty({ description: 'the MAC Neutron says the port carries' }) portMac: string;
}

export class UnallocatedPoolMacDto {
  @ApiProperty() portId: string;
  @ApiProperty() mac: string;
  @ApiProperty({ description: "the MAC's state in its pool" }) poolState: string;
  @ApiProperty({ type: String, nullable: true, description: 'the port the pool gave it to, if any' }) allocatedTo: string | null;
}

/** What a reconciliation found and (unless a dry run) repaired. */
export class ReconcileReportDto {
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ description: 'ports Neutron listed' }) neutronPorts: number;
  @ApiProperty({ description: 'reserved or allocated MACs in the pools' }) liveAllocations: number;
  @ApiProperty({ type: [LiveAllocationDto], description: 'allocations whose port no longer exists: released' })
  release: LiveAllocationDto[];
  @ApiProperty({ type: [LiveAllocationDto], description: 'reservations whose port exists with the MAC: committed' })
  commit: LiveAllocationDto[];
  @ApiProperty({ type: [MacMismatchDto], description: 'reported, not changed' }) macMismatch: MacMismatchDto[];
  @ApiProperty({ type: [UnallocatedPoolMacDto], description: 'reported, not changed' }) unallocatedPoolMacs: UnallocatedPoolMacDto[];
}
