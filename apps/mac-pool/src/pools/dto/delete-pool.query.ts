import { BooleanQuery } from '../../common/boolean-query';

export class DeletePoolQuery {
  @BooleanQuery('also drop the MACs reserved or allocated to ports (the ports keep them)')
  force?: boolean;
}
