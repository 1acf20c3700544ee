import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { parseTime } from '../domain/time';

/** A time as `parseTime` accepts it (RFC 3339 with an offset, a real date); the message says why not. */
export function IsTime(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
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
}
