import { Module } from '@nestjs/common';
import { UploadSlots } from './upload-slots.interceptor';
import { UploadSpoolFiles } from './upload-spool';
import { UploadController } from './upload.controller';
import { UploadRepository } from './upload.repository';
import { UploadService } from './upload.service';
import { PoolsModule } from '../pools/pools.module';

@Module({
  imports: [PoolsModule],
  controllers: [UploadController],
  providers: [UploadRepository, UploadSpoolFiles, UploadService, UploadSlots],
})
export class UploadsModule {}
