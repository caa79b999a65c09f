import { ApiProperty } from '@nestjs/swagger';

const nullable = () => ApiProperty({ type: String, nullable: true });

export class MacMatchDto {
  @ApiProperty() mac: string;
  @ApiProperty() pool: string;
  @ApiProperty({ description: 'true: matches the MAC as it is now; false: matched a past holder in the history' }) current: boolean;
  @nullable() hostname: string | null;
  @nullable() portId: string | null;
  @nullable() deviceId: string | null;
  @nullable() projectId: string | null;
  @ApiProperty({ description: 'when the matching state began (now) or the last matching event (history)' }) at: Date;
}

export class MacSearchResponseDto {
  @ApiProperty({ type: [MacMatchDto], description: 'one per MAC, most recent first' }) matches: MacMatchDto[];
  @ApiProperty({ description: 'true: more matched than listed' }) truncated: boolean;
}
