import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What an upload changed (or, in a dry run, would have changed). */
export class UploadResultDto {
  @ApiProperty({ description: 'MACs new to the pool' }) added: number;
  @ApiProperty({ description: 'MACs already in the pool whose metadata changed' }) updated: number;
  @ApiProperty({ description: 'free or quarantined MACs a replace removed' }) removed: number;
  @ApiProperty({ description: 'MACs already in the pool as listed' }) unchanged: number;
  @ApiProperty({ description: 'true: nothing was written' }) dryRun: boolean;
  @ApiPropertyOptional({
    type: [String],
    description:
      'PUT with dryRun=true only: the free or quarantined MACs applying would remove, canonical and sorted; ' +
      'the first MACPOOL_MAX_REPORTED_ERRORS of them',
    example: ['02:00:00:00:0e:02'],
  })
  removing?: string[];
  @ApiPropertyOptional({ description: 'PUT with dryRun=true only: how many MACs applying would remove (equals removed)' })
  removingTotal?: number;
}
