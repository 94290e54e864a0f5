/**
 * Vitest setup shared by every package (vitest.shared.ts): with `SAM_BACKEND=tensorflow|wasm|cpu|webgpu`
 * set, each test file starts on that backend, chosen by `setupBackend()` as an application
 * would (so `tensorflow` also gets this package's training gradients), and fails at once if
 * it cannot start. Without `SAM_BACKEND` nothing is loaded and tests keep tfjs's default (cpu).
 * Tests that pick a backend themselves read `process.env.SAM_BACKEND` (see `pnpm test:tensorflow`).
 */
const wanted = process.env.SAM_BACKEND;
if (wanted) {
  await import("@tensorflow/tfjs"); // tfjs-core's gradients, as an application has them
  const { setupBackend } = await import("../src/setupBackend");
  const choice = await setupBackend();
  if (choice.backend !== wanted) {
    throw new Error(`vitest setup: SAM_BACKEND=${wanted} but setupBackend() started '${choice.backend}'.`);
  }
}

export {};
