import { BooleanQuery } from '../../common/boolean-query';

export class ReconcileQuery {
  @BooleanQuery('report what would change, change nothing')
  dryRun?: boolean;
}
