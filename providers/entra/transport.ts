import type { Client, Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { ClientCredentialsAuth } from './auth.js';

/**
 * Builds the Graph SDK client. The SDK is imported here, lazily, so loading the provider
 * module costs nothing until a target is used.
 *
 * Test hosts: the SDK only attaches the Authorization header to https Graph hosts and will
 * not follow absolute http nextLinks (FIELD-NOTES). So the client keeps the real base URL
 * and the LAST middleware, after authentication, sends each request to `graphHost` with
 * the scheme and host rewritten. Retries are ours (retry.ts, batch.ts), not the SDK's.
 */

export interface StepResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface Step {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the version, e.g. `/users?$select=id`. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GraphTransport {
  client: Client;
  /** One request through the SDK; resolves with any HTTP status, rejects on network failure. */
  send(step: Step): Promise<StepResult>;
}

class HostRewriteHandler implements Middleware {
  constructor(private readonly target: URL) {}
  async execute(context: Context): Promise<void> {
    const original = typeof context.request === 'string' ? context.request : context.request.url;
    const u = new URL(original);
    u.protocol = this.target.protocol;
    u.host = this.target.host;
    context.response = await fetch(u.toString(), context.options);
  }
  setNext(): void {}
}

export async function createTransport(auth: ClientCredentialsAuth, graphHost: string | null): Promise<GraphTransport> {
  const sdk = await import('@microsoft/microsoft-graph-client');
  const last = graphHost ? new HostRewriteHandler(new URL(graphHost)) : new sdk.HTTPMessageHandler();
  const middleware: Middleware[] = [new sdk.AuthenticationHandler({ getAccessToken: () => auth.getAccessToken() }), new sdk.TelemetryHandler(), last];
  const client = sdk.Client.initWithMiddleware({ middleware, defaultVersion: 'v1.0' });
  const send = async (step: Step): Promise<StepResult> => {
    let req = client.api(step.url).responseType(sdk.ResponseType.RAW);
    if (step.headers) req = req.headers(step.headers);
    const res = (await (step.method === 'GET'
      ? req.get()
      : step.method === 'POST'
        ? req.post(step.body ?? {})
        : step.method === 'PATCH'
          ? req.patch(step.body ?? {})
          : req.delete())) as Response;
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    const text = res.status === 204 ? '' : await res.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: res.status, headers, body };
  };
  return { client, send };
}
