import { hostname as osHostname, userInfo } from 'node:os';

/**
 * Who is running: written into lock info so a refused operator sees whom to ask, and used to
 * decide whether a local lock's holder is provably gone.
 */

export interface HolderIdentity {
  hostname: string;
  pid: number;
  /** `user@host pid N`, or the CI actor. */
  holder: string;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function holderIdentity(opts: { hostname?: string; pid?: number; holder?: string } = {}): HolderIdentity {
  const hostname = opts.hostname ?? osHostname();
  const pid = opts.pid ?? process.pid;
  return { hostname, pid, holder: opts.holder ?? `${osUser()}@${hostname} pid ${pid}` };
}

/** The holder string for this environment: the CI actor when there is one, else the OS user. */
export function holderFromEnv(env: NodeJS.ProcessEnv, hostname: string, pid: number): string {
  const actor = env.GITHUB_ACTOR ?? env.GITLAB_USER_LOGIN ?? env.BUILD_REQUESTEDFOR;
  const ci = env.GITHUB_ACTIONS === 'true' ? 'github-actions' : env.GITLAB_CI ? 'gitlab-ci' : env.TF_BUILD ? 'azure-pipelines' : undefined;
  if (actor && ci) return `${actor} (${ci}) on ${hostname} pid ${pid}`;
  return `${osUser()}@${hostname} pid ${pid}`;
}

/** True only when the process certainly does not exist (ESRCH). EPERM means it exists. */
export function processIsGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
