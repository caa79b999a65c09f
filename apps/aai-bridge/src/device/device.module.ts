import { Module } from '@nestjs/common';
import { HousekeepingModule } from '@app/platform/housekeeping/housekeeping.module';
import { DeviceAuthorizationRepository } from './device-authorization.repository';
import { DeviceFlowService } from './device-flow.service';
import { DevicePurgeJob } from './device-purge.job';
import { DeviceController } from './device.controller';
import { HandoffModule } from '../handoff/handoff.module';
import { SessionModule } from '../session/session.module';

/** CLI login without a browser on the machine (RFC 8628's device authorization grant). */
@Module({
  imports: [HandoffModule, SessionModule, HousekeepingModule],
  controllers: [DeviceController],
  providers: [DeviceAuthorizationRepository, DeviceFlowService, DevicePurgeJob],
})
export class DeviceModule {}
