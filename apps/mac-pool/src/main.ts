import 'reflect-metadata';
import { runService } from '@app/platform';
import { macPoolService } from './service';

void runService(macPoolService);
