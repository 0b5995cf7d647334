/**
 * Low-level helpers shared by the CSV SIS readers (OneRoster CSV, Microsoft SDS CSV):
 * - file-set: a folder or .zip of exports, opened as byte streams;
 * - csv-stream: a streaming, UTF-8-checked CSV reader in array mode with line numbers;
 * - header: bind columns by name with warnings for case, misspellings, ext_ and order;
 * - encoding, dates, grades, intern, digest, diagnostic-sink: small pure helpers.
 */
export * from './file-set.js';
export * from './csv-stream.js';
export * from './header.js';
export * from './encoding.js';
export * from './dates.js';
export * from './grades.js';
export * from './intern.js';
export * from './seen-ids.js';
export * from './digest.js';
export * from './hash-file.js';
export * from './diagnostic-sink.js';
