import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { parseTime } from '../domain/time';

/**
 * A time as `parseTime` accepts it (RFC 3339 with an offset, a real date); the message says why not.
 * An accepted time is kept in one spelling, UTC with milliseconds (`toISOString`): the domain and the
 * workflows compare deadlines as strings, and `…T17:00:00+07:00` and `…T10:00:00.000Z` are one instant.
 */
export function IsTime(options?: ValidationOptions): PropertyDecorator {
  const canonical = Transform(({ value }: { value: unknown }) => {
    const r = parseTime(value);
    return r.ok ? new Date(r.ms).toISOString() : value;
  });
  return (target: object, propertyName: string | symbol) => {
    canonical(target, propertyName);
    registerDecorator({
      name: 'isTime',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => parseTime(value).ok,
        defaultMessage: (args: ValidationArguments) => {
          const r = parseTime(args.value);
          return `${args.property} ${r.ok ? 'is not a valid time' : r.reason}`;
        },
      },
    });
  };
}
