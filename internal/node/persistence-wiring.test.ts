import { describe, expect, it, vi } from 'vitest';
import { Simple } from '../command/index.js';
import { withSnapshotCommand } from './persistence-wiring.js';

describe('the SNAPSHOT command', () => {
  const setup = () => {
    const snapshotNow = vi.fn(() => Promise.resolve({ path: 'p', bytes: 1, keys: 0, durationMs: 0 }));
    const execute = vi.fn(() => new Simple('passed on'));
    return { snapshotNow, execute, run: withSnapshotCommand({ snapshotNow } as never, execute) };
  };

  it.each(['SNAPSHOT', 'snapshot', 'SnapShot'])('is recognised as %s', async (name) => {
    const { snapshotNow, execute, run } = setup();
    await run({ name, key: '', args: [] });
    expect(snapshotNow).toHaveBeenCalledOnce();
    expect(execute).not.toHaveBeenCalled();
  });

  // Unicode case mapping turns ſ (long s) into S; the command table folds ASCII only.
  it.each(['ſnapshot', 'SNAPSHOTS'])('leaves %s to the command table', async (name) => {
    const { snapshotNow, execute, run } = setup();
    await run({ name, key: '', args: [] });
    expect(snapshotNow).not.toHaveBeenCalled();
    expect(execute).toHaveBeenCalledOnce();
  });
});
