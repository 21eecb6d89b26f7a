#!/usr/bin/env node
// Starts one platform simulator on loopback and prints its URL.
//
//   node web/sandbox/cli.js kiotviet [--port N] [--seed N]
//
// The first line of output is the base URL alone, so scripts can read it with `head -1`.
// Platforms come from the registry in index.js.

import { pathToFileURL } from 'node:url';
import { SANDBOXES, startSandbox } from './index.js';

export const SIMULATORS = SANDBOXES;

function usage() {
  return `usage: node web/sandbox/cli.js <${Object.keys(SIMULATORS).join('|')}> [--port N] [--seed N]`;
}

export function parseArgs(argv) {
  const [platform, ...rest] = argv;
  const args = { platform, port: 0, seed: 1 };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const [name, inline] = flag.split('=', 2);
    const value = inline ?? rest[++i];
    if (name !== '--port' && name !== '--seed') throw new Error(`unknown option ${flag}`);
    if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${name} needs a non-negative integer`);
    args[name.slice(2)] = Number(value);
  }
  if (!SIMULATORS[platform]) throw new Error(platform ? `unknown platform "${platform}"` : 'missing platform');
  return args;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${err.message}\n${usage()}`);
    process.exit(2);
  }
  const { sim, url, secrets } = await startSandbox(args.platform, { seed: args.seed, port: args.port });
  console.log(url);
  console.log(`  credentials: ${JSON.stringify(secrets)}`);
  const info = sim.info();
  for (const [key, value] of Object.entries(info)) {
    if (key !== 'url' && key !== 'platform') console.log(`  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`);
  }
  console.log(`  controls: ${url}/__sandbox/{info,stats,truth/<entity>} (GET), {touch,create,remove,expire-tokens,faults,fail-next,reset} (POST)`);
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
