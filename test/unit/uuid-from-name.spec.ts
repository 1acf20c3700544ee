import { uuidFromName } from '../../src/common/idempotency';

/*
 * Values computed by the hand-written SHA-1 implementation before it was replaced by the `uuid` package:
 * nominations and imports already stored carry these ids, so they must stay byte-identical.
 */
const KNOWN: [string, string][] = [
  ['user-1:key-1', '06ec62fc-325c-5295-9cf3-cb608c233068'],
  ['user-2:key-1', '61b66b29-055c-5e0d-a2f7-84cef0500787'],
  ['import:u1:k1', 'dfa2952c-1443-562e-916c-e78efffb6f5e'],
  ['', '6c65bee4-5002-5bff-b94a-4ed96c1521e4'],
  ['Nguyễn Văn A:khóa', '58269150-91e3-518b-a181-60c868b4e616'],
];

describe('uuidFromName', () => {
  it.each(KNOWN)('gives %j the id it had before', (name, id) => {
    expect(uuidFromName(name)).toBe(id);
  });
});
