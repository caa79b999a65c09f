import { BooleanQuery } from '../../common/boolean-query';

export class UploadQuery {
  @BooleanQuery('check and count, write nothing')
  dryRun?: boolean;
}
