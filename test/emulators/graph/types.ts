/** Shapes shared by the Graph emulator's pieces. */

export interface EmuRequest {
  method: string;
  /** Path below the version segment, e.g. `/users/123` (no query). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  /** True when the request arrived inside a `$batch`. */
  inBatch: boolean;
}

export interface EmuReply {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export interface ThrottleOptions {
  /** Directory writes (users, groups, AUs) per window per app: Graph documents 3,000 per 150 s. */
  writeLimit: number;
  writeWindowMs: number;
  /** All requests per window: 3,500 / 5,000 / 8,000 per 10 s by tenant size. */
  requestLimit: number;
  requestWindowMs: number;
}

export interface FaultOptions {
  /** Fraction of requests answered 5xx (503/500/504) before they are processed. */
  errorRate: number;
  /** Fraction of requests that start a 429 burst. */
  burstRate: number;
  /** Length of a 429 burst, real milliseconds. */
  burstMs: number;
  /** Fraction of requests answered slowly, and how slowly (real ms). */
  slowRate: number;
  slowMs: number;
  /** Fraction of HTTP requests whose connection drops AFTER the server processed them. */
  dropRate: number;
}

export interface GraphEmulatorOptions {
  port?: number;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Verified domains; UPNs must end in one of them. */
  domains?: string[];
  seed?: number;
  /** Absolute base the emulator pretends to be, used in nextLinks and @odata.id. */
  publicBaseUrl?: string;
  /**
   * Real time per emulated time. 1 = real time; 0.01 makes a 150 s window last 1.5 s.
   * Retry-After stays in emulated whole seconds, as Graph sends it, so a client must scale it
   * by the same factor (the entra provider's `timeScale` setting).
   */
  timeScale?: number;
  throttle?: Partial<ThrottleOptions>;
  faults?: Partial<FaultOptions>;
  /** Largest page a list returns (Graph: 999 for users). */
  maxPageSize?: number;
  defaultPageSize?: number;
  /** Delta tokens older than this (real ms) answer 410. */
  deltaTokenTtlMs?: number;
  tokenLifetimeSeconds?: number;
}
