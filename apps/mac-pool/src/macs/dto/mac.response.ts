import { ApiProperty } from '@nestjs/swagger';

const nullable = (description?: string) => ApiProperty({ type: String, nullable: true, description });
const nullableTime = (description: string) => ApiProperty({ type: Date, nullable: true, description });

/** A pool MAC: where it is, its state, the port holding it and the metadata uploaded with it. */
export class MacRecordDto {
  @ApiProperty({ example: '02:00:00:00:00:01' }) mac: string;
  @ApiProperty() pool: string;
  @ApiProperty({ enum: ['free', 'reserved', 'allocated', 'quarantined'] }) state: string;
  @nullable() hostname: string | null;
  @nullable() ipv4: string | null;
  @nullable() ipv6: string | null;
  @nullable() description: string | null;
  @nullable('the port holding it (reserved or allocated)') portId: string | null;
  @nullable() deviceId: string | null;
  @nullable() deviceOwner: string | null;
  @nullable() projectId: string | null;
  @nullable() networkId: string | null;
  @nullableTime('when an uncommitted reservation lapses') expiresAt: Date | null;
  @nullableTime('when a quarantined MAC may be handed out again') availableSince: Date | null;
  @ApiProperty() stateChangedAt: Date;
}
