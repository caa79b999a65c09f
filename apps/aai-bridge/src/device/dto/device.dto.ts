import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { DeviceCodeAnswer } from '../device-flow.service';

/** POST /device/code (JSON or form). */
export class DeviceCodeRequestDto {
  @ApiPropertyOptional({ description: 'the project the CLI asks for (the user confirms or picks another)', example: 'cms' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  project?: string;

  @ApiPropertyOptional({ description: 'name of the clouds.yaml entry the CLI writes', example: 'infn-cms' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cloud?: string;

  @ApiPropertyOptional({ description: 'accepted and ignored (RFC 8628 clients send it)' })
  @IsOptional()
  @IsString()
  client_id?: string;
}

export class DeviceCodeAnswerDto implements DeviceCodeAnswer {
  @ApiProperty({ description: 'secret: the CLI polls with it' })
  device_code: string;

  @ApiProperty({ example: 'BCDF-GHJK' })
  user_code: string;

  @ApiProperty()
  verification_uri: string;

  @ApiProperty()
  verification_uri_complete: string;

  @ApiProperty({ example: 600 })
  expires_in: number;

  @ApiProperty({ example: 5 })
  interval: number;
}

/** POST /device/token (JSON or form). */
export class DeviceTokenRequestDto {
  @ApiProperty({ example: 'urn:ietf:params:oauth:grant-type:device_code' })
  @IsOptional()
  @IsString()
  grant_type?: string;

  @ApiProperty()
  @IsOptional()
  @IsString()
  device_code?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  client_id?: string;
}

/** GET /device?user_code=… */
export class DeviceQueryDto {
  @ApiPropertyOptional({ example: 'BCDF-GHJK' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  user_code?: string;
}

/** POST /device: the approval form of the confirmation page (application/x-www-form-urlencoded). */
export class DeviceDecisionDto {
  @ApiPropertyOptional({ description: 'the code being decided', example: 'BCDF-GHJK' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  user_code?: string;

  @ApiPropertyOptional({ description: 'id of one of your projects (to approve)' })
  @IsOptional()
  @IsString()
  project?: string;

  @ApiPropertyOptional({ enum: ['approve', 'deny'] })
  @IsOptional()
  @IsString()
  decision?: string;

  @ApiPropertyOptional({ description: 'the token of the confirmation page shown to this session' })
  @IsOptional()
  @IsString()
  csrf?: string;
}
