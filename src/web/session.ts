/** The signed-in caller, as `GET /v1/session` describes it. */
export interface Session {
  org: { name: string };
  token: { name: string; scope: 'read' | 'write' | 'admin' };
  expiresAt?: string;
}
