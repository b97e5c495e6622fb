import { type Freezer } from './types';

/** Freezing switched off: processes keep running between invokes (as with the AWS RIE). */
export class NoFreezer implements Freezer {
  readonly strategy = 'none' as const;
  readonly cgroupDir = undefined;

  wrap(command: string, args: string[]): { command: string; args: string[] } {
    return { command, args };
  }

  track(): void {}

  untrack(): void {}

  async freeze(): Promise<void> {}

  async thaw(): Promise<void> {}

  async dispose(): Promise<void> {}
}
