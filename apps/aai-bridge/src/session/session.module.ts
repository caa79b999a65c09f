import { Module } from '@nestjs/common';
import { HousekeepingModule } from '@app/platform/housekeeping/housekeeping.module';
import { SessionPurgeJob } from './session-purge.job';
import { SessionController } from './session.controller';
import { SessionRepository } from './session.repository';
import { SessionService } from './session.service';

/** Browser sessions after a SAML login; controllers read them with @CurrentSession(). */
@Module({
  imports: [HousekeepingModule],
  controllers: [SessionController],
  providers: [SessionRepository, SessionService, SessionPurgeJob],
  exports: [SessionService],
})
export class SessionModule {}
