import fc from 'fast-check';
import { type Quotas, quotaProblems, quotaRefusal } from '../../src/domain/campaign';
import { type Field, FIELDS } from '../../src/domain/nomination';
import { reservationTtlMs } from '../../src/tasks/proposal-quota';

/*
 * The quota's pure part is quotaRefusal (the rule the API and the workflow's validator both apply to a
 * unit's count); reserveProposal serialises one unit's proposals (a lock, then count-and-insert) and is
 * tested against PostgreSQL in test/e2e/proposal-quota.e2e.spec.ts. Here the serialised order is modelled:
 * proposals judged one after another, each against the places granted before it.
 */
function grant(quotas: Quotas, fields: Field[]): boolean[] {
  let proposed = 0;
  const inField = new Map<Field, number>();
  return fields.map((field) => {
    const proposedInField = inField.get(field) ?? 0;
    if (quotaRefusal(quotas, { unitName: 'Huyện Đức Linh', field, proposed, proposedInField })) return false;
    proposed += 1;
    inField.set(field, proposedInField + 1);
    return true;
  });
}

const cap = fc.integer({ min: 0, max: 30 });
const quotas: fc.Arbitrary<Quotas> = fc.record(
  { perUnit: cap, perField: fc.dictionary(fc.constantFrom(...FIELDS), cap, { maxKeys: 4 }) },
  { requiredKeys: [] },
);
const proposals = fc.array(fc.constantFrom(...FIELDS), { maxLength: 60 });

describe('proposal quotas, as properties', () => {
  it('grants exactly min(N, q) of N proposals against a unit quota q, whatever their order', () => {
    fc.assert(
      fc.property(cap, proposals, (q, fields) => {
        const granted = grant({ perUnit: q }, fields);
        expect(granted.filter(Boolean)).toHaveLength(Math.min(fields.length, q));
        // First come, first served: the granted ones are the first q.
        expect(granted).toEqual(fields.map((_, i) => i < q));
      }),
      { numRuns: 300 },
    );
  });

  it('grants the same number in every order, with per-field caps as well', () => {
    fc.assert(
      fc.property(
        quotas,
        proposals.chain((f) => fc.tuple(fc.constant(f), fc.shuffledSubarray(f, { minLength: f.length }))),
        (q, [fields, reordered]) => {
          const count = (fs: Field[]) => grant(q, fs).filter(Boolean).length;
          const perField = FIELDS.reduce((sum, f) => {
            const n = fields.filter((x) => x === f).length;
            return sum + Math.min(n, q.perField?.[f] ?? Infinity);
          }, 0);
          expect(count(fields)).toBe(Math.min(q.perUnit ?? Infinity, perField));
          expect(count(reordered)).toBe(count(fields));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never grants past a cap, and refuses only a unit or field already at its cap', () => {
    fc.assert(
      fc.property(quotas, proposals, (q, fields) => {
        const granted = grant(q, fields);
        const taken = fields.filter((_, i) => granted[i]);
        expect(taken.length).toBeLessThanOrEqual(q.perUnit ?? Infinity);
        for (const f of FIELDS)
          expect(taken.filter((x) => x === f).length).toBeLessThanOrEqual(q.perField?.[f] ?? Infinity);
        fields.forEach((f, i) => {
          if (granted[i]) return;
          const before = fields.slice(0, i).filter((_, j) => granted[j]);
          const unitFull = q.perUnit !== undefined && before.length >= q.perUnit;
          const fieldCap = q.perField?.[f];
          expect(
            unitFull || (fieldCap !== undefined && before.filter((x) => x === f).length >= fieldCap),
          ).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('says which cap a refusal hits, with its numbers', () => {
    fc.assert(
      fc.property(
        quotas,
        fc.constantFrom(...FIELDS),
        fc.nat(40),
        fc.nat(40),
        (q, field, proposed, inField) => {
          const why = quotaRefusal(q, { unitName: 'U', field, proposed, proposedInField: inField });
          const unitFull = q.perUnit !== undefined && proposed >= q.perUnit;
          const fieldCap = q.perField?.[field];
          const fieldFull = fieldCap !== undefined && inField >= fieldCap;
          expect(why !== undefined).toBe(unitFull || fieldFull);
          if (unitFull) expect(why).toBe(`U has proposed ${proposed} of its quota of ${q.perUnit} models`);
          else if (fieldFull) expect(why).toContain(`quota of ${fieldCap} models in field ${field}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts every quota of whole caps on known fields and refuses anything else, naming it', () => {
    fc.assert(
      fc.property(quotas, (q) => expect(quotaProblems(q)).toEqual([])),
      { numRuns: 200 },
    );
    const bad = fc.oneof(
      fc
        .constantFrom(-1, 1.5, 100_001, NaN, '3', null)
        .map((v) => ({ q: { perUnit: v }, field: 'quotas.perUnit' })),
      fc
        .tuple(fc.constantFrom(...FIELDS), fc.constantFrom(-1, 0.5, '2', null))
        .map(([f, v]) => ({ q: { perField: { [f]: v } }, field: `quotas.perField.${f}` })),
      fc
        .string({ minLength: 1, maxLength: 12 })
        .filter((f) => !(FIELDS as readonly string[]).includes(f) && f !== '__proto__')
        .map((f) => ({ q: { perField: { [f]: 1 } }, field: `quotas.perField.${f}` })),
      fc
        .string({ minLength: 1, maxLength: 12 })
        .filter((k) => k !== 'perUnit' && k !== 'perField' && k !== '__proto__')
        .map((k) => ({ q: { [k]: 1 }, field: `quotas.${k}` })),
    );
    fc.assert(
      fc.property(quotas, bad, (good, { q, field }) => {
        expect(quotaProblems({ ...good, ...q }).map((p) => p.field)).toContain(field);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a reservation at least a minute and at least six request timeouts', () => {
    fc.assert(
      fc.property(fc.nat(3_600_000), fc.nat(3_600_000), (a, b) => {
        const ttl = reservationTtlMs(a);
        expect(ttl).toBeGreaterThanOrEqual(60_000);
        expect(ttl).toBeGreaterThanOrEqual(6 * a);
        if (a <= b) expect(reservationTtlMs(b)).toBeGreaterThanOrEqual(ttl);
      }),
      { numRuns: 100 },
    );
  });
});
