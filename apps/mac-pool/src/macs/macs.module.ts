import { Module } from '@nestjs/common';
import { MacController } from './mac.controller';
import { MacRepository } from './mac.repository';
import { MacService } from './mac.service';

@Module({ controllers: [MacController], providers: [MacRepository, MacService] })
export class MacsModule {}
