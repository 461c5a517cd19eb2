/** gokv's release (package.json `version`; a test keeps them equal). INFO, HELLO and gokv-cli --version show it. */
export const GOKV_VERSION = '0.1.0';
