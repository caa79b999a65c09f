import { Controller, Get, HttpStatus, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiError, Public } from '@app/platform';
import { CurrentSession, SessionInterceptor } from './current-session';
import { MeDto } from './dto/me.dto';
import { ActiveSession } from './session.service';

@ApiTags('saml')
@Public()
@UseInterceptors(SessionInterceptor)
@Controller()
export class SessionController {
  @Get('me')
  @ApiOperation({ summary: "The logged-in user's mapped identity, or 401" })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentSession() session: ActiveSession | null): MeDto {
    if (!session) throw new ApiError(HttpStatus.UNAUTHORIZED, 'not_logged_in', 'no valid session: log in at /saml/login');
    return { ...session.identity, sessionExpiresAt: session.expiresAt };
  }
}
