import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import type Docker from 'dockerode';
import { removeBuildLeftovers } from '../../src/host/buildLeftovers';
import { removeManagedContainers } from '../../src/host/cleanup';
import { connectDocker } from '../../src/host/dockerEngine';
import { MANAGED_LABEL, ROLE_LABEL, SESSION_LABEL } from '../../src/host/labels';
import { requireDocker } from './support/docker';
import { localBaseImage } from './support/testImage';

/** Marks everything this suite creates, so that it removes exactly that and nothing of anyone else's. */
const TEST_LABEL = 'dev.lambda-sandbox.test-cleanup';

describe('image: cleanup touches only what it owns', function () {
  this.timeout(60_000);
  const docker = connectDocker();
  const run = crypto.randomBytes(4).toString('hex');
  const created: { containers: string[]; images: string[] } = { containers: [], images: [] };
  let base: string;

  before(async function () {
    await requireDocker(this);
    const chosen = await localBaseImage();
    if (chosen === undefined) throw new Error('no base image present to make the test images from');
    base = chosen;
  });

  after(async () => {
    for (const id of created.containers) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    for (const id of created.images) await docker.getImage(id).remove({ force: true }).catch(() => undefined);
  });

  async function container(labels: Record<string, string>): Promise<Docker.Container> {
    const made = await docker.createContainer({ Image: base, Cmd: ['true'], Labels: { ...labels, [TEST_LABEL]: run } });
    created.containers.push(made.id);
    return made;
  }

  /** An untagged ("dangling") image with these labels, as `docker commit` without a name makes one. */
  async function danglingImage(labels: Record<string, string>): Promise<string> {
    const from = await container({});
    const changes = Object.entries({ ...labels, [TEST_LABEL]: run }).map(([key, value]) => `LABEL ${key}=${value}`);
    const { Id } = (await from.commit({ changes })) as { Id: string };
    created.images.push(Id);
    return Id;
  }

  const exists = (what: { inspect(): Promise<unknown> }) => what.inspect().then(() => true, () => false);

  it('cleanup --session removes that session\'s sandboxes, and no image nor other container', async () => {
    const mine = await container({ [MANAGED_LABEL]: 'true', [ROLE_LABEL]: 'sandbox', [SESSION_LABEL]: `mine-${run}` });
    const otherSession = await container({ [MANAGED_LABEL]: 'true', [ROLE_LABEL]: 'sandbox', [SESSION_LABEL]: `other-${run}` });
    // An image someone built FROM lambda-sandbox: it inherits the library's labels, yet the project never built it.
    const derived = await danglingImage({ [MANAGED_LABEL]: 'true', [ROLE_LABEL]: 'image' });
    const stranger = await danglingImage({});

    assert.equal(await removeManagedContainers({ docker, session: `mine-${run}` }), 1);

    assert.equal(await exists(mine), false, 'the session\'s sandbox is removed');
    assert.equal(await exists(otherSession), true, 'another session\'s sandbox stays');
    assert.equal(await exists(docker.getImage(derived)), true, 'an untagged image derived from ours stays');
    assert.equal(await exists(docker.getImage(stranger)), true, 'an untagged image without our labels stays');
  });

  it('cleanup --images removes untagged build-stage images, and not untagged images derived from ours', async () => {
    const stage = await danglingImage({ [MANAGED_LABEL]: 'true', [ROLE_LABEL]: 'build-stage' });
    const derived = await danglingImage({ [MANAGED_LABEL]: 'true', [ROLE_LABEL]: 'image' });

    // Narrowed to this suite's label: other people's build caches on the same engine are not ours to drop in a test.
    assert.deepEqual(await removeBuildLeftovers({ docker, labels: [`${TEST_LABEL}=${run}`] }), [stage]);

    assert.equal(await exists(docker.getImage(stage)), false);
    assert.equal(await exists(docker.getImage(derived)), true);
  });
});
