import { Module } from '@nestjs/common';
import { MappingController } from './mapping.controller';
import { MappingRepository } from './mapping.repository';
import { MappingService } from './mapping.service';

@Module({ controllers: [MappingController], providers: [MappingRepository, MappingService], exports: [MappingService] })
export class MappingModule {}
