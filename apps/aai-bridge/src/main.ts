import 'reflect-metadata';
import { runService } from '@app/platform';
import { aaiBridgeService } from './service';

void runService(aaiBridgeService);
