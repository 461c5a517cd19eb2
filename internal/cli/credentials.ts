import { stat } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { readSmallFile } from '../config/index.js';
import { UsageError } from './exit-codes.js';
import type { TlsPaths } from './options.js';
import type { TlsFiles } from './tls-probe.js';

/**
 * Channel credentials: plaintext without TLS paths, else TLS (mutual when cert and key are set);
 * with the files read, for a diagnosing handshake (tls-probe.ts) when a connection fails.
 */
export async function buildCredentials(tls: TlsPaths | undefined): Promise<{ credentials: grpc.ChannelCredentials; files: TlsFiles | undefined }> {
  if (tls === undefined) return { credentials: grpc.credentials.createInsecure(), files: undefined };
  const [ca, key, cert] = await Promise.all([
    readPem(tls.ca, '--ca'),
    readPem(tls.key, '--key'),
    readPem(tls.cert, '--cert'),
  ]);
  try {
    return { credentials: grpc.credentials.createSsl(ca ?? null, key ?? null, cert ?? null), files: { ca, key, cert } };
  } catch (err) {
    throw new UsageError(`invalid TLS files: ${explainTlsFileError(err instanceof Error ? err.message : String(err))}`);
  }
}

/** OpenSSL's reason for refusing the files, in the flags' terms where it says something common. */
export function explainTlsFileError(openssl: string): string {
  if (/bad decrypt|bad password read|interrupted or cancelled|encrypted/i.test(openssl)) {
    return `the --key file is encrypted; gokv-cli needs an unencrypted PEM key (openssl pkey -in KEY -out KEY.plain) (${openssl})`;
  }
  if (/key values mismatch/i.test(openssl)) return `the --key file does not match the certificate in --cert (${openssl})`;
  if (/DECODER routines::unsupported/i.test(openssl)) return `the --key file holds no private key gokv-cli can read (a certificate given as the key?) (${openssl})`;
  if (/no start line|bad base64 decode|wrong tag/i.test(openssl)) return `a file is not PEM or not what its flag expects: --ca and --cert take certificates, --key a private key (${openssl})`;
  return openssl;
}

/**
 * A PEM file, bounded as the node bounds its own (found by a review: `--ca /dev/zero` grew to
 * 800 MB with no output, and a FIFO blocked the open): a regular file of at most 4 MiB.
 */
async function readPem(path: string | undefined, flag: string): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a regular file');
    return readSmallFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code !== undefined && code !== 'EFBIG' ? code : err instanceof Error ? err.message : String(err);
    throw new UsageError(`cannot read ${flag} file '${path}': ${reason}`);
  }
}
