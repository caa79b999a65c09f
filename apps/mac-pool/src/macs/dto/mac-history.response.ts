import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const nullable = () => ApiProperty({ type: String, nullable: true });

/** One appended state change of a MAC. */
export class HistoryEventDto {
  @ApiProperty() at: Date;
  @ApiProperty() mac: string;
  @ApiProperty() pool: string;
  @ApiProperty({ enum: ['reserved', 'committed', 'released', 'expired', 'quarantine_ended'] })
  action: 'reserved' | 'committed' | 'released' | 'expired' | 'quarantine_ended';
  @nullable() portId: string | null;
  @nullable() deviceId: string | null;
  @nullable() deviceOwner: string | null;
  @nullable() projectId: string | null;
  @nullable() networkId: string | null;
  @ApiProperty({ description: 'token name, or system/reconcile' }) actor: string;
}

/** A span during which one port held the MAC. */
export class HoldingDto {
  @ApiProperty() portId: string;
  @nullable() deviceId: string | null;
  @nullable() projectId: string | null;
  @nullable() networkId: string | null;
  @ApiProperty() pool: string;
  @ApiProperty() from: Date;
  @ApiProperty({ type: Date, nullable: true, description: 'null: still holds it' }) until: Date | null;
}

export class HolderAtDto {
  @ApiProperty() time: Date;
  @ApiProperty({ type: HoldingDto, nullable: true, description: 'null: nobody held it then' }) holder: HoldingDto | null;
}

export class MacHistoryResponseDto {
  @ApiProperty() mac: string;
  @ApiProperty({ type: [HistoryEventDto], description: 'oldest first' }) events: HistoryEventDto[];
  @ApiProperty({ type: [HoldingDto] }) holdings: HoldingDto[];
  @ApiPropertyOptional({ type: HolderAtDto, description: 'present when asked ?at=' }) at?: HolderAtDto;
}
