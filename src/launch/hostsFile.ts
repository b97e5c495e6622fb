import { promises as fs } from 'node:fs';

export const SANDBOX_HOSTNAMES = ['sandbox.localdomain', 'sandbox'];

/**
 * Telemetry destinations name `sandbox.localdomain` (docs/lambda-behaviour.md#telemetry-api). Inside a container (the init is PID 1) the name is
 * made to resolve for the extensions' own use by adding it to /etc/hosts; on a developer's machine the file is left
 * alone (the init delivers telemetry on loopback itself and needs no name lookup).
 */
export async function ensureSandboxHostnames(hostsFile = '/etc/hosts'): Promise<'added' | 'present' | 'skipped'> {
  if (process.pid !== 1) return 'skipped';
  const text = await fs.readFile(hostsFile, 'utf8').catch(() => '');
  if (/\ssandbox\.localdomain(\s|$)/m.test(text)) return 'present';
  const line = `127.0.0.1\t${SANDBOX_HOSTNAMES.join(' ')}\n`;
  await fs.appendFile(hostsFile, (text === '' || text.endsWith('\n') ? '' : '\n') + line);
  return 'added';
}
