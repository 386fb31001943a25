#!/usr/bin/env node
// Entry point of the `edumon` CLI: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./edumon.ts');
