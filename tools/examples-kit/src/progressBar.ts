/**
 * A one-line progress bar on stderr: `label [#####.....] 42/100 1.2 s`. On a terminal it
 * redraws in place; elsewhere (CI logs) it prints a line at every tenth of the way.
 *
 * @example
 * ```ts
 * const bar = progressBar("fine-tune sgd", 200);
 * for (let i = 0; i < 200; i++) { step(); bar.tick(`loss ${loss.toFixed(3)}`); }
 * bar.done();
 * ```
 */
export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr) {
  const start = performance.now();
  const tty = Boolean(stream.isTTY);
  let done = 0;
  let lastDecile = -1;
  const render = (note: string) => {
    const width = 24;
    const filled = Math.round((done / total) * width);
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    return `${label.padEnd(22)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${seconds} s ${note}`;
  };
  return {
    tick(note = "") {
      done = Math.min(total, done + 1);
      if (tty) stream.write(`\r${render(note)}\x1b[K`);
      else {
        const decile = Math.floor((done / total) * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`${render(note)}\n`);
        }
      }
    },
    done(note = "") {
      if (tty) stream.write(`\r${render(note)}\x1b[K\n`);
      return (performance.now() - start) / 1000;
    },
  };
}
