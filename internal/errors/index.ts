// errors/ owns GokvError and its closed set of codes. Imports nothing from gokv.
export * from './gokv-error.js';
