import { SamConfigError } from "@sam/core";
import type * as Bullmq from "bullmq";
import type { Redis as IoRedis } from "ioredis";
import { parseRedisUrl } from "./redisUrl";

/** The queue of the trials (one job per trial) and of the sweeps (the parent job of each). */
export const TRIALS_QUEUE = "sam-sweep-trials";
/** The queue of the sweeps' parent jobs (the flow that groups a sweep's trials). */
export const SWEEPS_QUEUE = "sam-sweep-sweeps";

const INSTALL = "npm i bullmq@^6.7.6 ioredis@^6.1.0";

/**
 * Loads the optional peers `bullmq` and `ioredis` (only `--redis` needs them) and opens a
 * connection to the URL's server (see `parseRedisUrl`: password, `rediss://` for TLS).
 *
 * @throws SamConfigError saying how to install them when they are missing.
 *
 * @example
 * ```ts
 * const { bullmq, connect } = await loadBullmq("redis://:s3cret@127.0.0.1:6379");
 * const queue = new bullmq.Queue("sam-sweep-trials", { connection: connect() });
 * ```
 */
export async function loadBullmq(url: string): Promise<{
  bullmq: typeof Bullmq;
  /** A new ioredis connection to the server (each Queue, Worker, FlowProducer gets its own). */
  connect: () => IoRedis;
  /** Closes every connection `connect` opened (BullMQ leaves the connections it is given open). */
  disconnect: () => void;
  /** The URL with its password hidden. */
  display: string;
}> {
  const { options, display } = parseRedisUrl(url);
  let bullmq: typeof Bullmq;
  let ioredis: { Redis: new (o: object) => IoRedis };
  try {
    bullmq = await import("bullmq");
    ioredis = (await import("ioredis")) as unknown as typeof ioredis;
  } catch (e) {
    throw new SamConfigError(
      `--redis needs the optional peer dependencies bullmq and ioredis, which could not be loaded (${(e as Error).message}). Install them (${INSTALL}), or run the sweep on this machine without --redis.`,
    );
  }
  const Redis = ioredis.Redis ?? (ioredis as unknown as { default: typeof ioredis.Redis }).default;
  const opened: IoRedis[] = [];
  const connect = () => {
    const c = new Redis({ ...options });
    opened.push(c);
    return c;
  };
  const disconnect = () => {
    for (const c of opened.splice(0)) c.disconnect();
  };
  return { bullmq, connect, disconnect, display };
}
