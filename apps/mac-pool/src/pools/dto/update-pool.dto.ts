import { OmitType, PartialType } from '@nestjs/swagger';
import { CreatePoolDto } from './create-pool.dto';

/** Any field of a pool but its name; a given scope list replaces that list only. */
export class UpdatePoolDto extends PartialType(OmitType(CreatePoolDto, ['name'] as const)) {}
