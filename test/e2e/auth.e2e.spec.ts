import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../src/config/config';
import { APP_CONFIG } from '../../src/config/config.module';
import { createUser } from '../support/fixtures';
import { E2E_ADMIN, type HttpResult, TestApp } from '../support/http-app';

const INVALID_TOKEN = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'the bearer token is invalid or expired',
};
const WRONG_PASSWORD = { statusCode: 401, error: 'Unauthorized', message: 'wrong username or password' };
const TOO_MANY = {
  statusCode: 429,
  error: 'Too Many Requests',
  message: expect.stringMatching(/^too many sign-in attempts; try again in \d+ seconds?$/),
};

/** What a sign-in answered, without the token itself. */
const outcome = (res: HttpResult) => ({
  status: res.status,
  body: res.status === 200 ? { accessToken: expect.any(String), expiresIn: res.body.expiresIn } : res.body,
});

/**
 * Sign-in and tokens over HTTP: security headers, no CORS unless configured, tokens that expire or were
 * signed elsewhere refused, deactivated users locked out at once, and sign-in throttling.
 */
describe('sign-in and tokens over HTTP', () => {
  let t: TestApp;
  let adminId: string;
  let secret: string;

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    [{ id: adminId }] = await t.db.dataSource.query(`SELECT id FROM users WHERE username = $1`, [
      E2E_ADMIN.username,
    ]);
    secret = t.app.app.get<AppConfig>(APP_CONFIG).jwt.secret;
  });

  afterAll(() => t?.close());

  const call = (...args: Parameters<TestApp['call']>) => t.call(...args);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const signIn = (username: string, password: string) => call('POST', '/auth/login', { username, password });

  it('sends security headers and no CORS headers by default', async () => {
    for (const [method, path] of [
      ['GET', '/health'],
      ['GET', '/units'],
      ['GET', '/docs'],
      ['POST', '/auth/login'],
    ]) {
      const res = await call(method, path, method === 'POST' ? {} : undefined, {
        origin: 'https://evil.example',
      });
      const headers = Object.fromEntries(res.headers.entries());
      expect({ path, headers }).toEqual({
        path,
        headers: expect.objectContaining({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'SAMEORIGIN',
          'strict-transport-security': expect.stringContaining('max-age='),
          'content-security-policy': expect.stringContaining("script-src 'self'"),
          'referrer-policy': 'no-referrer',
        }),
      });
      expect(headers['x-powered-by']).toBeUndefined();
      expect(headers['access-control-allow-origin']).toBeUndefined();
    }
    const preflight = await call('OPTIONS', '/units', undefined, {
      origin: 'https://evil.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('still serves the Swagger UI at /docs under the content security policy', async () => {
    const page = await call('GET', '/docs');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    // Scripts from the same origin only; the UI's inline styles and data: images are allowed.
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/style-src [^;]*'unsafe-inline'/);
    expect(csp).toMatch(/img-src [^;]*data:/);
    // Served over plain HTTP, an upgrade to https would stop the UI's own scripts from loading.
    expect(csp).not.toContain('upgrade-insecure-requests');
    const scripts = [...(page.body as string).matchAll(/<script src=['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    expect((page.body as string).match(/<script>/g)).toBeNull();
    for (const src of scripts) {
      expect(src).not.toMatch(/^(https?:)?\/\//);
      // Resolved the way a browser resolves it against the page's address.
      const url = new URL(src, `${t.app.url}/docs`);
      const res = await call('GET', url.pathname);
      expect({ src, status: res.status }).toEqual({ src, status: 200 });
    }
    const doc = await call('GET', '/docs-json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/users', '/users/{id}']));
  });

  it('gives a short-lived token and no refresh token', async () => {
    const res = await signIn(E2E_ADMIN.username, E2E_ADMIN.password);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), expiresIn: 3600 });
    const claims = new JwtService({ secret }).verify<{ exp: number; iat: number }>(res.body.accessToken);
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('refuses an expired token, one signed with another secret, and one of an unknown user', async () => {
    const jwt = new JwtService({ secret });
    const past = Math.floor(Date.now() / 1000) - 60;
    const tokens = {
      expired: await jwt.signAsync({ sub: adminId, iat: past - 3600, exp: past }),
      expiredByOption: await jwt.signAsync({ sub: adminId }, { expiresIn: -10 }),
      otherSecret: await new JwtService({ secret: 'not-the-server-secret' }).signAsync({ sub: adminId }),
      unknownUser: await jwt.signAsync({ sub: randomUUID() }),
      unsigned: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ sub: adminId }),
      ).toString('base64url')}.`,
    };
    for (const [kind, token] of Object.entries(tokens)) {
      const res = await call('GET', '/units', undefined, bearer(token));
      expect({ kind, status: res.status, body: res.body }).toEqual({
        kind,
        status: 401,
        body: INVALID_TOKEN,
      });
    }
    // The same secret and a live expiry work, so the refusals above are about expiry and signature.
    expect(
      (await call('GET', '/units', undefined, bearer(await jwt.signAsync({ sub: adminId })))).status,
    ).toBe(200);
  });

  it("refuses a deactivated user's token at once, and their sign-in", async () => {
    const [unit] = await t.db.dataSource.query(`SELECT id FROM units WHERE name = 'Xã Nam Chính'`);
    const user = await createUser(t.db.dataSource, {
      username: 'auth.nam.chinh',
      password: 'nam-chinh-password',
      displayName: 'Võ Thị Lan',
      role: 'submitter',
      unitId: unit.id,
    });
    const login = await signIn('auth.nam.chinh', 'nam-chinh-password');
    expect(login.status).toBe(200);
    const token = login.body.accessToken as string;
    expect((await call('GET', '/units', undefined, bearer(token))).status).toBe(200);

    const off = await call('PATCH', `/users/${user.userId}`, { active: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ active: false, releasedTasks: expect.any(Number) });

    const refused = await call('GET', '/units', undefined, bearer(token));
    expect({ status: refused.status, body: refused.body }).toEqual({ status: 401, body: INVALID_TOKEN });
    expect(outcome(await signIn('auth.nam.chinh', 'nam-chinh-password'))).toEqual({
      status: 401,
      body: WRONG_PASSWORD,
    });
  });

  it('finds a username typed in another case', async () => {
    expect((await signIn(E2E_ADMIN.username.toUpperCase(), E2E_ADMIN.password)).status).toBe(200);
  });

  it("forgets a username's failures after a successful sign-in", async () => {
    // The default limit is 5 failures: 4, a success, 4 more and another success all get through.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) {
        expect(outcome(await signIn('demo.district', 'not-the-password'))).toEqual({
          status: 401,
          body: WRONG_PASSWORD,
        });
      }
      expect((await signIn('demo.district', 'demo-password')).status).toBe(200);
    }
  });
});

describe('sign-in throttling per username', () => {
  let t: TestApp;
  const ALLOWED_ORIGIN = 'https://danvan.binhthuan.example.vn';

  beforeAll(async () => {
    t = await TestApp.start({
      LOGIN_MAX_FAILURES: '3',
      LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10',
      CORS_ORIGINS: `${ALLOWED_ORIGIN},http://localhost:5173`,
    });
  });

  afterAll(() => t?.close());

  const signIn = (username: string, password: string) =>
    t.call('POST', '/auth/login', { username, password });

  /** Three wrong passwords, then the right one (for an unknown user: any). */
  const sequence = async (username: string, password: string) => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await signIn(username, `wrong-password-${i}`));
    answers.push(await signIn(username, password));
    return answers;
  };

  it('refuses even the right password after 3 failures, with Retry-After, and answers an unknown user alike', async () => {
    const known = await sequence('demo.submitter', 'demo-password');
    expect(known.map(outcome)).toEqual([
      { status: 401, body: WRONG_PASSWORD },
      { status: 401, body: WRONG_PASSWORD },
      { status: 401, body: WRONG_PASSWORD },
      { status: 429, body: TOO_MANY },
    ]);
    const locked = known[3];
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(locked.body.message).toBe(`too many sign-in attempts; try again in ${retryAfter} seconds`);

    // Alike but for the clock: a second may pass between the two lock-outs, so compare with the pattern.
    const unknown = await sequence('khong.ton.tai', 'demo-password');
    expect(unknown.map(outcome)).toEqual([
      { status: 401, body: WRONG_PASSWORD },
      { status: 401, body: WRONG_PASSWORD },
      { status: 401, body: WRONG_PASSWORD },
      { status: 429, body: TOO_MANY },
    ]);
    expect(Number(unknown[3].headers.get('retry-after'))).toBeGreaterThan(0);

    // The lock is on the username whatever its case; other users still sign in.
    expect((await signIn('DEMO.Submitter', 'demo-password')).status).toBe(429);
    expect((await signIn(E2E_ADMIN.username, E2E_ADMIN.password)).status).toBe(200);
  });

  it('answers browsers only from CORS_ORIGINS', async () => {
    const preflight = (origin: string) =>
      t.call('OPTIONS', '/nominations', undefined, {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      });
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const health = await t.call('GET', '/health', undefined, { origin: ALLOWED_ORIGIN });
    expect(health.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(health.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });
});

describe('sign-in throttling per address', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ LOGIN_MAX_FAILURES: '3', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10' });
  });

  afterAll(() => t?.close());

  it('refuses the 11th attempt from one address, whatever the usernames, and keeps tokens working', async () => {
    expect((await t.login()).status).toBe(200);
    for (let i = 1; i < 10; i++) {
      const res = await t.call('POST', '/auth/login', {
        username: `nguoi.dung.${i}`,
        password: 'mat-khau-sai',
      });
      expect({ i, status: res.status }).toEqual({ i, status: 401 });
    }
    const res = await t.call('POST', '/auth/login', {
      username: 'demo.province',
      password: 'demo-password',
    });
    expect(outcome(res)).toEqual({ status: 429, body: TOO_MANY });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Throttling is about signing in: the token from before still works.
    expect((await t.call('GET', '/units')).status).toBe(200);
  });
});
