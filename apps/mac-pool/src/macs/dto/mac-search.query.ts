import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';

export const SEARCH_FIELDS = ['hostname', 'portId', 'deviceId', 'projectId'] as const;
export type MacSearchField = (typeof SEARCH_FIELDS)[number];

/** GET /v1/macs?by=deviceId&value=… */
export class MacSearchQuery {
  @ApiProperty({
    enum: SEARCH_FIELDS,
    description: 'what to match: the hostname a MAC was uploaded with, or a port, device or project that held it',
  })
  @IsIn(SEARCH_FIELDS)
  by: MacSearchField;

  @ApiProperty({ description: 'the exact value' })
  @IsString()
  @Length(1, 255)
  value: string;
}
