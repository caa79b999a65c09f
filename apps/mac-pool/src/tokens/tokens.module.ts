import { Module } from '@nestjs/common';
import { AdminTokenBootstrap } from './admin-token.bootstrap';
import { TokenController } from './token.controller';

@Module({ controllers: [TokenController], providers: [AdminTokenBootstrap] })
export class TokensModule {}
