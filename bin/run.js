#!/usr/bin/env -S node --max-semi-space-size=64
// A larger young generation: plans allocate millions of short-lived objects at district
// scale, and the default semi-space promotes them into costly old-generation collections.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
