#!/usr/bin/env -S node --max-semi-space-size=64 --initial-old-space-size=1024 --max-old-space-size=16384
// A larger young generation: plans allocate millions of short-lived objects at district
// scale, and the default semi-space promotes them into costly old-generation collections.
// A 1 GB initial old generation: below it no full collection runs, so a plan of up to about
// 100,000 people runs none at all, nor waits at exit for one V8 started late (10-13% of such
// a plan's time, for up to ~180 MB more peak memory; README "Performance").
// A higher heap cap: Node's default (~4 GB) stops a plan of about 500,000 people or more with
// "heap out of memory"; the machine's memory, not V8, should be the limit.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
