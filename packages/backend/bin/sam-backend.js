#!/usr/bin/env node
// The `sam-backend` command (src/cli.ts, built to dist/cli.js). A committed file, so that pnpm
// can link the bin in a workspace before the package is built.
import "../dist/cli.js";
