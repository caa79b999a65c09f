import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Length, MaxLength, ValidateNested } from 'class-validator';

export class AllocationRequestDto {
  @ApiProperty({ description: 'Neutron port id: the idempotency key' })
  @IsString()
  @Length(1, 255)
  portId: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  networkId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  projectId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  deviceId?: string;

  @ApiPropertyOptional({ example: 'compute:nova' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  deviceOwner?: string;

  @ApiPropertyOptional({ description: 'VM hostname / dns_name; a free MAC registered for it is preferred' })
  @IsOptional()
  @IsString()
  @MaxLength(253)
  hostname?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  availabilityZone?: string;

  @ApiPropertyOptional({ description: 'a specific MAC, used when free and in a pool admitting the port' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  mac?: string;
}

export class BatchAllocationDto {
  @ApiProperty({ type: [AllocationRequestDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => AllocationRequestDto)
  ports: AllocationRequestDto[];
}
