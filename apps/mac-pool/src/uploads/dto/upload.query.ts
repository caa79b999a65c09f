import { BooleanQuery } from '../../common/boolean-query';

export class UploadQuery {
  @BooleanQuery('check and count, write nothing')
  dryRun?: boolean;

  @BooleanQuery('replace only: allow a file with no MAC, which removes every free and quarantined MAC of the pool')
  allowEmpty?: boolean;
}
