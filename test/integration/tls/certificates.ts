/**
 * Test certificates, generated per run with the openssl CLI (tests only: Node has no X.509
 * builder). A P-256 CA, a server certificate for 127.0.0.1, two client certificates issued
 * by the CA (the SPIFFE ID is the client's single URI SAN), and a self-signed rogue client.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  readonly ca: Pem;
  readonly server: Pem;
  readonly good: Pem;
  readonly wrong: Pem;
  readonly rogue: Pem;
}

export const GOOD_SPIFFE_ID = 'spiffe://example.org/billing';
export const WRONG_SPIFFE_ID = 'spiffe://example.org/mallory';

export function generateTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-pki-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) =>
    run(
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      `${name}.key`,
    );
  const issue = (name: string, subject: string, extensions: string) => {
    key(name);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    run('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  };
  const read = (name: string): Pem => ({
    cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
  });
  try {
    key('ca');
    run(
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-subj',
      '/CN=Mandate Test CA',
      '-days',
      '2',
      '-sha256',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      'ca.pem',
    );
    issue(
      'server',
      '/CN=localhost',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
    );
    const client = (id: string) =>
      `subjectAltName=URI:${id}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n`;
    issue('good', '/CN=billing', client(GOOD_SPIFFE_ID));
    issue('wrong', '/CN=mallory', client(WRONG_SPIFFE_ID));
    key('rogue');
    run(
      'req',
      '-x509',
      '-new',
      '-key',
      'rogue.key',
      '-subj',
      '/CN=billing',
      '-days',
      '2',
      '-addext',
      `subjectAltName=URI:${GOOD_SPIFFE_ID}`,
      '-out',
      'rogue.pem',
    );
    return {
      ca: read('ca'),
      server: read('server'),
      good: read('good'),
      wrong: read('wrong'),
      rogue: read('rogue'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
