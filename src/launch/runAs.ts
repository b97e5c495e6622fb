import { readFileSync } from 'node:fs';

export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Parses LAMBDA_SANDBOX_RUN_AS: `uid:gid`, `uid`, or a user name from /etc/passwd. Lambda runs functions and
 * extensions as an unprivileged user; the image sets this so the init (root) can drop privileges for its children.
 */
export function parseRunAs(value: string, passwd = '/etc/passwd'): RunAs {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(value);
  if (numeric) return { uid: Number(numeric[1]), gid: Number(numeric[2] ?? numeric[1]) };
  let text = '';
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    throw new Error(`"${value}" is not uid[:gid] and ${passwd} cannot be read to look it up`);
  }
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === value && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error(`no user "${value}" in ${passwd}`);
}
