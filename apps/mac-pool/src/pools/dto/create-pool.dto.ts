import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

export class PoolScopeDto {
  @ApiPropertyOptional({ type: [String], description: 'Neutron network ids this pool serves; empty = any' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  networkIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Keystone project ids; empty = any' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  projectIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'availability zones; empty = any' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  availabilityZones?: string[];
}

export class CreatePoolDto {
  @ApiProperty({ example: 'cnaf-tier1', description: 'letters, digits, _ . - (up to 63)' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, { message: 'name must be 1-63 letters, digits, _ . - starting with a letter or digit' })
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ type: PoolScopeDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PoolScopeDto)
  scope?: PoolScopeDto;

  @ApiPropertyOptional({ default: 100, description: 'pools admitting a port are tried highest priority first' })
  @IsOptional()
  @IsInt()
  @Min(-1000000)
  @Max(1000000)
  priority?: number;

  @ApiPropertyOptional({ default: 0, description: 'seconds a released MAC waits before it is handed out again' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365 * 86400)
  quarantineSeconds?: number;

  @ApiPropertyOptional({ default: 300, description: 'seconds a reservation lives without commit' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  reservationTtlSeconds?: number;

  @ApiPropertyOptional({ default: false, description: 'accept universally administered (vendor) MACs' })
  @IsOptional()
  @IsBoolean()
  allowUniversal?: boolean;
}
