type Closable = { close(): Promise<void> } | { stop(): Promise<void> };

/**
 * Registers an afterEach in the calling describe that closes whatever the test handed to the returned function
 * (sessions, gates), last opened first; returns that function, which passes its argument through.
 */
export function closeAfterEach(): <T extends Closable>(thing: T) => T {
  const opened: Closable[] = [];
  afterEach(async () => {
    for (const thing of opened.splice(0).reverse()) await ('close' in thing ? thing.close() : thing.stop());
  });
  return (thing) => {
    opened.push(thing);
    return thing;
  };
}
