/** Query strings carry text: `true`/`1` and `false`/`0` become booleans, anything else fails @IsBoolean. */
export const queryBool = ({ value }: { value: unknown }) => {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};
