/** gokv's release (package.json `version`; a test keeps them equal). INFO and HELLO show it. */
export const GOKV_VERSION = '0.1.0';
