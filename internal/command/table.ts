import { EXPIRE_COMMANDS } from './expire.js';
import { HASH_COMMANDS } from './hash.js';
import { HASH_RANDOM_COMMANDS } from './hash-random.js';
import { INTROSPECTION_COMMANDS } from './introspection.js';
import { KEY_COMMANDS } from './keys.js';
import { LIST_COMMANDS } from './list.js';
import { asciiUpper } from './parse.js';
import { HSCAN_COMMANDS, SCAN_COMMANDS } from './scan.js';
import type { CommandSpec } from './spec.js';
import { STRING_COMMANDS } from './string.js';
import { STRING_RANGE_COMMANDS } from './string-range.js';

/** Every command gokv knows, in table order. */
export const COMMANDS: readonly CommandSpec[] = [
  ...KEY_COMMANDS,
  ...EXPIRE_COMMANDS,
  ...SCAN_COMMANDS,
  ...HASH_COMMANDS,
  ...HASH_RANDOM_COMMANDS,
  ...HSCAN_COMMANDS,
  ...LIST_COMMANDS,
  ...STRING_COMMANDS,
  ...STRING_RANGE_COMMANDS,
  ...INTROSPECTION_COMMANDS,
];

// Indexed under the upper- and lower-case spellings so the usual names skip case folding.
const TABLE = new Map<string, CommandSpec>();
for (const spec of COMMANDS) {
  TABLE.set(spec.name, spec);
  TABLE.set(spec.name.toLowerCase(), spec);
}

/** The command named `name` in any ASCII case, or undefined. */
export function lookupCommand(name: string): CommandSpec | undefined {
  return TABLE.get(name) ?? TABLE.get(asciiUpper(name));
}
