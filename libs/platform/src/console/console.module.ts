import { DynamicModule, Module } from '@nestjs/common';
import { CONSOLE_DIR, ConsoleAssets, defaultConsoleDir } from './console-assets';
import { ConsoleController } from './console.controller';

/** Serves one app's built admin console (dist/console/<app>) under /admin. */
@Module({})
export class ConsoleModule {
  static forApp(app: string, dir: string = defaultConsoleDir(app)): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ConsoleController],
      providers: [{ provide: CONSOLE_DIR, useValue: dir }, ConsoleAssets],
    };
  }
}
