/**
 * A tiny static server for `dist/`, on the loopback interface only: `pnpm start` (after the
 * build) prints the address. `PORT` picks the port (default 8080; 0 for any free one).
 */
import { serveDist } from "../src/serveDist";

const server = await serveDist(
  new URL("../dist", import.meta.url).pathname,
  Number(process.env.PORT ?? 8080),
);
console.log(`serving the fine-tune page at ${server.url} (Ctrl-C to stop)`);
