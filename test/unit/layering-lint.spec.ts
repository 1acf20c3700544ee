import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The layering rules of eslint.config.mjs, proven to bite: workflows/ may import only Temporal's workflow
 * API, its own files, src/domain and src/contracts (type-only imports of anything else are erased and
 * allowed); the domain imports no framework and no other layer; the contracts nothing server-side.
 */
const root = path.resolve(__dirname, '../..');

interface Snippet {
  /** Linted as if it were this file (an existing one, so a type-aware parser finds it in the project). */
  file: string;
  line: string;
  refused: boolean;
}

const cases: Snippet[] = [
  ...[
    "import { x } from '../activities/x';",
    "import { x } from '../activities';",
    "import { x } from '../src/temporal/x';",
    "import { x } from '../src/nominations/x';",
    "import { x } from '../../elsewhere/x';",
    "import { x } from '@temporalio/client';",
    "import { x } from '@temporalio/activity';",
    "import { x } from 'typeorm';",
    "import { x } from 'node:fs';",
  ].map((line) => ({ file: 'workflows/clock.ts', line, refused: true })),
  ...[
    "import { x } from './carried-state';",
    "import { x } from '../src/domain/nomination';",
    "import { x } from '../src/contracts/failures';",
    "import { x } from '@temporalio/workflow';",
    "import { x } from '@temporalio/common';",
    "import type { x } from '../activities/x';",
    "import { type x } from '../src/temporal/x';",
  ].map((line) => ({ file: 'workflows/clock.ts', line, refused: false })),
  ...[
    "import { x } from '@temporalio/common';",
    "import type { x } from '@temporalio/common';",
    "import { x } from '@nestjs/common';",
    "import { x } from 'typeorm';",
    "import { x } from 'pg';",
    "import { x } from 'node:fs';",
    "import { x } from '../contracts/failures';",
  ].map((line) => ({ file: 'src/domain/time.ts', line, refused: true })),
  { file: 'src/domain/time.ts', line: "import { x } from './nomination';", refused: false },
  ...[
    "import { x } from '@nestjs/common';",
    "import { x } from 'typeorm';",
    "import { x } from 'pg';",
    "import { x } from '@temporalio/client';",
    "import { x } from '../../activities/x';",
  ].map((line) => ({ file: 'src/contracts/failures.ts', line, refused: true })),
  ...[
    "import { x } from '@temporalio/workflow';",
    "import type { x } from '../domain/nomination';",
    "import { x } from './audit';",
  ].map((line) => ({ file: 'src/contracts/failures.ts', line, refused: false })),
];

/**
 * ESLint's `lintText` over every snippet, in a Node process of its own: ESLint loads eslint.config.mjs
 * with a dynamic import, which Jest's module sandbox does not allow.
 */
const LINT = `
const { ESLint } = require('eslint');
const path = require('node:path');
const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  const eslint = new ESLint({ cwd: input.root });
  const out = [];
  for (const c of input.cases) {
    const [result] = await eslint.lintText(c.code, { filePath: path.join(input.root, c.file) });
    out.push(result.messages);
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });
`;

type Message = { ruleId: string | null; fatal?: boolean; message: string };

describe('layering lint rules', () => {
  let results: Message[][];

  beforeAll(() => {
    const input = cases.map((c) => ({ file: c.file, code: `${c.line}\nexport type y = typeof x;\n` }));
    const out = execFileSync(process.execPath, ['-e', LINT], {
      cwd: root,
      input: JSON.stringify({ root, cases: input }),
      encoding: 'utf8',
    });
    results = JSON.parse(out) as Message[][];
  }, 60_000);

  it.each(cases.map((c, i) => [c.refused ? 'refuses' : 'allows', c.file, c.line, i] as const))(
    '%s in %s: %s',
    (verdict, _file, _line, i) => {
      const messages = results[i]
        .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports' || m.fatal)
        .map((m) => m.message);
      if (verdict === 'refuses')
        expect(messages).toEqual([expect.stringMatching(/imports only|holds pure|depends|is imported by/)]);
      else expect(messages).toEqual([]);
    },
  );
});
