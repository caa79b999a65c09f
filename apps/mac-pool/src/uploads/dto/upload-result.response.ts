import { ApiProperty } from '@nestjs/swagger';

/** What an upload changed (or, in a dry run, would have changed). */
export class UploadResultDto {
  @ApiProperty({ description: 'MACs new to the pool' }) added: number;
  @ApiProperty({ description: 'MACs already in the pool whose metadata changed' }) updated: number;
  @ApiProperty({ description: 'free or quarantined MACs a replace removed' }) removed: number;
  @ApiProperty({ description: 'MACs already in the pool as listed' }) unchanged: number;
  @ApiProperty({ description: 'true: nothing was written' }) dryRun: boolean;
}
