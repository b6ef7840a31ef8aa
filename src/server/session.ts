/**
 * Dashboard sessions: after `POST /v1/session` checks an API token, the browser holds an
 * HttpOnly, SameSite=Strict cookie naming the token's id and an expiry, signed with HMAC-SHA256.
 * The token itself never goes back to the browser, a session ends at its expiry or when its
 * token is revoked (every request looks the token up), and no session table is needed.
 * The key comes from SCOUT_SESSION_SECRET (set the same value on every replica behind one
 * address); without it each server process makes its own, so a restart signs everyone out.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'scout_session';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export class Sessions {
  private readonly key: Buffer;

  constructor(
    secret: string | undefined = process.env.SCOUT_SESSION_SECRET,
    readonly ttlSeconds = SESSION_TTL_SECONDS,
  ) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  /** The Set-Cookie value of a new session for this token id, and when it ends. */
  issue(tokenId: string, secure: boolean, now = Date.now()): { cookie: string; expiresAt: string } {
    const exp = Math.floor(now / 1000) + this.ttlSeconds;
    const body = `${tokenId}.${exp}`;
    const attrs = ['HttpOnly', 'SameSite=Strict', 'Path=/', `Max-Age=${this.ttlSeconds}`, ...(secure ? ['Secure'] : [])];
    return { cookie: `${SESSION_COOKIE}=${body}.${this.mac(body)}; ${attrs.join('; ')}`, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The Set-Cookie value that ends the session in the browser. */
  clear(secure: boolean): string {
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
  }

  /** The token id of a valid, unexpired session cookie in a Cookie header; undefined otherwise. */
  tokenIdOf(cookieHeader: string | undefined, now = Date.now()): string | undefined {
    if (!cookieHeader || cookieHeader.length > 8192) return undefined;
    let value: string | undefined;
    for (const part of cookieHeader.split(';')) {
      const i = part.indexOf('=');
      if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) value = part.slice(i + 1).trim();
    }
    const m = value ? /^([A-Za-z0-9_-]{1,100})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
    if (!m) return undefined;
    const [, tokenId, exp, mac] = m as unknown as [string, string, string, string];
    const want = Buffer.from(this.mac(`${tokenId}.${exp}`));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    if (Number(exp) * 1000 <= now) return undefined;
    return tokenId;
  }
}
