import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/** The largest value of a PostgreSQL integer (a serial id): a bigger one fails inside the query. */
export const MAX_SERIAL_ID = 2 ** 31 - 1;

/**
 * A path parameter naming a row by its serial id: digits only, 1 to 2^31-1, else 400 invalid_id
 * naming the parameter. Nest's ParseIntPipe lets 2147483648 or 9007199254740994 through, and
 * PostgreSQL then refuses it as out of range for integer: a 500 for a bad request.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, meta: ArgumentMetadata): number {
    const name = meta.data ?? 'id';
    const id = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
    if (!(id >= 1 && id <= MAX_SERIAL_ID))
      throw ApiError.badRequest('invalid_id', `path parameter ${name} must be a whole number from 1 to ${MAX_SERIAL_ID}`, {
        field: name,
        in: 'path',
      });
    return id;
  }
}
