import { describe, expect, it } from "vitest";
import { parseRedisUrl } from "./redisUrl";

describe("parseRedisUrl", () => {
  it("reads host, port, database and defaults", () => {
    expect(parseRedisUrl("redis://127.0.0.1:6390/3")).toEqual({
      options: { host: "127.0.0.1", port: 6390, db: 3, maxRetriesPerRequest: null },
      display: "redis://127.0.0.1:6390/3",
    });
    expect(parseRedisUrl("redis://cache").options).toMatchObject({ host: "cache", port: 6379, db: 0 });
  });
  it("passes a (percent-encoded) password and user to ioredis, and hides it when printed", () => {
    const { options, display } = parseRedisUrl("redis://sweeper:p%40ss:word@10.0.0.5:6379");
    expect(options.username).toBe("sweeper");
    expect(options.password).toBe("p@ss:word");
    expect(display).toBe("redis://sweeper:***@10.0.0.5:6379");
    expect(parseRedisUrl("redis://:s3cret@h/0").options).toMatchObject({ password: "s3cret" });
    expect(parseRedisUrl("redis://:s3cret@h/0").options.username).toBeUndefined();
  });
  it("turns on TLS for rediss://, checking the host name", () => {
    const { options, display } = parseRedisUrl("rediss://:s3cret@redis.lab:6380/2");
    expect(options).toEqual({
      host: "redis.lab",
      port: 6380,
      db: 2,
      password: "s3cret",
      tls: { servername: "redis.lab" },
      maxRetriesPerRequest: null,
    });
    expect(display).toBe("rediss://:***@redis.lab:6380/2");
  });
  it("refuses other schemes, bad databases and non-URLs without printing the password", () => {
    expect(() => parseRedisUrl("http://:pw@h")).toThrow(
      "--redis http://:***@h: the scheme is http; use redis:// or rediss:// (TLS).",
    );
    expect(() => parseRedisUrl("redis://h/x")).toThrow('the database is "x"; give a number');
    expect(() => parseRedisUrl("localhost:6379")).toThrow(/scheme is localhost|is not a URL/);
    let message = "";
    try {
      parseRedisUrl("redis://:topsecret@h/x");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toContain("topsecret");
  });
});
