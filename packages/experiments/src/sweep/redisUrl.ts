import { SamConfigError } from "@sam/core";

/** Connection options for ioredis, read from a Redis URL. */
export interface RedisUrlOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  /** Set for `rediss://`: TLS, with the host name checked against the server's certificate. */
  tls?: { servername: string };
  /** Required by BullMQ's blocking connections: retry a command for as long as it takes. */
  maxRetriesPerRequest: null;
}

/**
 * Reads a Redis URL, `redis://[[user]:password@]host[:port][/db]` or `rediss://...` (TLS), into
 * ioredis options, and a form safe to print (the password replaced by `***`). The password may
 * be percent-encoded (`%40` for `@`).
 *
 * @throws SamConfigError naming the URL (password hidden) and what is wrong.
 *
 * @example
 * ```ts
 * import { parseRedisUrl } from "@sam/experiments";
 *
 * const { options, display } = parseRedisUrl("rediss://:s3cret@redis.lab:6380/2");
 * options; // { host: "redis.lab", port: 6380, password: "s3cret", db: 2, tls: { servername: "redis.lab" }, ... }
 * display; // "rediss://:***@redis.lab:6380/2"
 * ```
 */
export function parseRedisUrl(url: string): { options: RedisUrlOptions; display: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SamConfigError(
      `--redis ${JSON.stringify(url.replace(/:[^:@/]*@/, ":***@"))} is not a URL: give redis://[:password@]host[:port][/db], or rediss://... for TLS.`,
    );
  }
  const auth = u.username || u.password ? `${u.username}${u.password ? ":***" : ""}@` : "";
  const display = `${u.protocol}//${auth}${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new SamConfigError(
      `--redis ${display}: the scheme is ${u.protocol.replace(/:$/, "")}; use redis:// or rediss:// (TLS).`,
    );
  }
  if (!u.hostname) throw new SamConfigError(`--redis ${display}: it names no host.`);
  const path = u.pathname.replace(/^\//, "");
  const db = path === "" ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) {
    throw new SamConfigError(
      `--redis ${display}: the database is ${JSON.stringify(path)}; give a number, e.g. /0.`,
    );
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  const options: RedisUrlOptions = {
    host,
    port: u.port ? Number(u.port) : 6379,
    db,
    maxRetriesPerRequest: null,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === "rediss:" ? { tls: { servername: host } } : {}),
  };
  return { options, display };
}
