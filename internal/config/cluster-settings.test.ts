import { describe, expect, it } from 'vitest';
import { clusterSettingsDifferences, clusterSettingsText } from './cluster-settings.js';
import { testConfig } from './test-config.js';

describe('cluster settings', () => {
  it('names the settings that must match, in a fixed order', () => {
    expect(clusterSettingsText(testConfig({ cluster: { replicas: 1, vNodeCount: 64 } }))).toMatch(
      /^cluster\.v_node_count=64 cluster\.replicas=1 cluster\.minority_writes=\w+ replication\.mode=\w+ limits\.max_message_bytes=\d+ limits\.max_members=\d+$/,
    );
  });

  it('lists each difference as there and here, and ignores settings only one side sends', () => {
    const here = clusterSettingsText(testConfig({ cluster: { replicas: 2 } }));
    const there = clusterSettingsText(testConfig({ cluster: { replicas: 0, vNodeCount: 64 } }));
    expect(clusterSettingsDifferences(here, there)).toEqual([
      expect.stringMatching(/^cluster\.v_node_count: 64 there, \d+ here$/),
      'cluster.replicas: 0 there, 2 here',
    ]);
    expect(clusterSettingsDifferences(here, here)).toEqual([]);
    expect(clusterSettingsDifferences(here, 'cluster.replicas=2 some.future_setting=9 junk =x')).toEqual([]);
  });
});
