// log/ owns the pino root logger and its conventions. Imports nothing from gokv.
export * from './logger.js';
