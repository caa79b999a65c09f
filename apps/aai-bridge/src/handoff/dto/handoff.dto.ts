import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** GET /websso: the dashboard to hand the token to. */
export class WebSsoQueryDto {
  @ApiProperty({
    description: 'exactly one of the trusted dashboards (AAI_TRUSTED_DASHBOARDS)',
    example: 'https://horizon.example/auth/websso/',
  })
  @IsOptional()
  @IsString()
  origin?: string;
}

/** POST /cli/clouds.yaml: the form of the /cli page (application/x-www-form-urlencoded). */
export class CloudsYamlFormDto {
  @ApiProperty({ description: 'id of one of your projects (see /cli)' })
  @IsOptional()
  @IsString()
  project?: string;

  @ApiPropertyOptional({ description: 'days the application credential stays valid', default: 30, minimum: 1, maximum: 365 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'days must be a whole number from 1 to 365' })
  @Min(1, { message: 'days must be a whole number from 1 to 365' })
  @Max(365, { message: 'days must be a whole number from 1 to 365' })
  days?: number;
}
