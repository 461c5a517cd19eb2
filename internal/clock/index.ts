// clock/ owns time and chance as injectable inputs (Clock, Random) with system and manual
// versions. Imports nothing from gokv.
export * from './clock.js';
export * from './random.js';
