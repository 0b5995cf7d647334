#!/usr/bin/env -S node --max-semi-space-size=64 --max-old-space-size=16384
// A larger young generation: plans allocate millions of short-lived objects at district
// scale, and the default semi-space promotes them into costly old-generation collections.
// A higher heap cap: Node's default (~4 GB) stops a plan of about 500,000 people or more with
// "heap out of memory"; the machine's memory, not V8, should be the limit.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
