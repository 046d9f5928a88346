// startRgw(): a throw-away single-node Ceph cluster with the RADOS Gateway (S3 API) on 127.0.0.1.
//
// Ceph's RGW is a production S3 implementation: unlike s3rver it enforces `If-None-Match: *`,
// `If-Match` and request signatures, so the tests can prove create-only writes, compare-and-swap
// updates and credential errors on it. Debian 12 packages (16.2 "pacific"): ceph-mon ceph-mgr ceph-osd
// radosgw ceph-common (`.ci/run` installs them when missing).
//
// The cluster: one mon, one mgr, one OSD on memstore (RAM, 1 GiB), pools of size 1, cephx with a keyring
// per daemon (a keyring set only under [global] makes ceph-mgr fail with handle_auth_bad_method),
// everything bound to 127.0.0.1 on ports picked free at start (mon v2+v1, an ms_bind_port window, the
// RGW beast endpoint), all files in its own temp folder. The daemons fork into the background and
// write pid files; stop() kills them by those pids and removes the folder. Start-up takes ~20 s, so the
// Vitest globalSetup (test/setup/rgw-global.ts) starts ONE cluster per test run and hands the endpoint
// to the test files through environment variables (see rgwFromEnv()).
//
// RGW quirk the backends handle: its If-Match on PUT compares against the ETag WITHOUT quotes.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RgwHandle {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  bucket: string;
  /** Environment for the AWS SDK / `djp` pointing at this gateway. */
  env: Record<string, string>;
  directory: string;
  /** Stops the gateway only (the cluster keeps running): simulates "bucket unreachable". */
  stopGateway(): Promise<void>;
  /** Starts the gateway again after stopGateway(). */
  startGateway(): Promise<void>;
  stop(): Promise<void>;
}

export const RGW_BINARIES = ['ceph-mon', 'ceph-mgr', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'ceph-authtool', 'monmaptool'];

/** The Ceph binaries that are missing from PATH (empty when RGW can run here). */
export function missingCephBinaries(): string[] {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/usr/sbin']);
  return RGW_BINARIES.filter((b) => !dirs.some((d) => d && existsSync(path.join(d, b))));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A window of `n` consecutive free ports for the daemons' messenger (ms_bind_port_min/max). */
async function freeWindow(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error('rgw: no window of free loopback ports found');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`rgw: ${what} not ready within ${timeoutMs / 1000} s\n${log()}`);
    await sleep(250);
  }
}

export async function startRgw(opts: { bucket?: string } = {}): Promise<RgwHandle> {
  const missing = missingCephBinaries();
  if (missing.length) {
    throw new Error(`rgw: Ceph is not installed (missing ${missing.join(', ')}); on Debian: apt-get install ceph-mon ceph-mgr ceph-osd radosgw ceph-common`);
  }
  const bucket = opts.bucket ?? 'djp-rgw';
  const dir = mkdtempSync(path.join(tmpdir(), 'djp-rgw-'));
  for (const sub of ['run', 'log', 'mon', 'mgr/ceph-x', 'osd/ceph-0', 'rgw', 'tmp']) mkdirSync(path.join(dir, sub), { recursive: true });
  const conf = path.join(dir, 'ceph.conf');
  const fsid = randomUUID();
  const [monV2, monV1, rgwPort] = [await freePort(), await freePort(), await freePort()];
  const window = await freeWindow(40);
  const monAddr = `[v2:127.0.0.1:${monV2},v1:127.0.0.1:${monV1}]`;
  writeFileSync(
    conf,
    `[global]
fsid = ${fsid}
mon_host = ${monAddr}
mon_initial_members = a
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv6 = false
ms_bind_port_min = ${window}
ms_bind_port_max = ${window + 39}
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
osd_objectstore = memstore
memstore_device_bytes = 1073741824
run_dir = ${dir}/run
admin_socket = ${dir}/run/$name.asok
pid_file = ${dir}/run/$name.pid
log_file = ${dir}/log/$name.log
mon_data = ${dir}/mon/$cluster-$id
mgr_data = ${dir}/mgr/$cluster-$id
osd_data = ${dir}/osd/$cluster-$id
mon_data_avail_warn = 1
mon_data_avail_crit = 0
mgr_initial_modules =
[mon]
keyring = ${dir}/mon/mon.keyring
[mgr]
keyring = ${dir}/mgr/$cluster-$id/keyring
[osd]
keyring = ${dir}/osd/$cluster-$id/keyring
[client.admin]
keyring = ${dir}/admin.keyring
[client.rgw.a]
keyring = ${dir}/rgw/keyring
rgw_frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw_data = ${dir}/rgw
rgw_enable_usage_log = false
rgw_dns_name = 127.0.0.1
`,
  );
  const env = { ...process.env, CEPH_CONF: conf, TMPDIR: path.join(dir, 'tmp') };
  const sh = async (cmd: string, args: string[]): Promise<string> => {
    try {
      const { stdout } = await run(cmd, args, { env, timeout: 60_000 });
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; message?: string };
      throw new Error(`rgw: ${cmd} ${args.join(' ')} failed: ${err.stderr || err.message}\n${logs()}`);
    }
  };
  const logs = (): string => {
    const out: string[] = [];
    for (const name of ['mon.a', 'mgr.x', 'osd.0', 'client.rgw.a']) {
      const f = path.join(dir, 'log', `${name}.log`);
      if (existsSync(f)) out.push(`--- ${name}.log (tail)\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}`);
    }
    return out.join('\n');
  };
  const kill = (name: string) => killDaemon(dir, name);
  const ceph = (...args: string[]) => sh('ceph', ['-c', conf, '--connect-timeout', '20', ...args]);
  const accessKey = `DJP${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretKey = randomBytes(20).toString('base64url');
  const endpoint = `http://127.0.0.1:${rgwPort}`;

  const startGateway = async (): Promise<void> => {
    await sh('radosgw', ['-c', conf, '-n', 'client.rgw.a']);
    await waitFor('radosgw', 60_000, async () => (await fetch(endpoint, { signal: AbortSignal.timeout(1000) })).status > 0, logs);
  };

  try {
    const monKeyring = path.join(dir, 'mon', 'mon.keyring');
    const adminKeyring = path.join(dir, 'admin.keyring');
    await sh('ceph-authtool', ['--create-keyring', monKeyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
    await sh('ceph-authtool', ['--create-keyring', adminKeyring, '--gen-key', '-n', 'client.admin', '--cap', 'mon', 'allow *', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow *', '--cap', 'mds', 'allow *']);
    await sh('ceph-authtool', [monKeyring, '--import-keyring', adminKeyring]);
    const monmap = path.join(dir, 'monmap');
    await sh('monmaptool', ['--create', '--addv', 'a', monAddr, '--fsid', fsid, monmap]);
    await sh('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', monKeyring]);
    await sh('ceph-mon', ['-c', conf, '-i', 'a']);

    await sh('ceph', ['-c', conf, '--connect-timeout', '20', 'auth', 'get-or-create', 'mgr.x', 'mon', 'allow profile mgr', 'osd', 'allow *', 'mds', 'allow *', '-o', path.join(dir, 'mgr/ceph-x/keyring')]);
    await sh('ceph-mgr', ['-c', conf, '-i', 'x']);

    const osdUuid = randomUUID();
    const osdId = (await ceph('osd', 'new', osdUuid)).trim();
    if (osdId !== '0') throw new Error(`rgw: expected osd id 0, got ${osdId}`);
    await ceph('auth', 'get-or-create', 'osd.0', 'mon', 'allow profile osd', 'mgr', 'allow profile osd', 'osd', 'allow *', '-o', path.join(dir, 'osd/ceph-0/keyring'));
    await sh('ceph-osd', ['-c', conf, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    await sh('ceph-osd', ['-c', conf, '-i', '0']);
    await waitFor('osd.0', 60_000, async () => /"num_up_osds":\s*1/.test(await ceph('osd', 'stat', '--format', 'json')), logs);

    await ceph('auth', 'get-or-create', 'client.rgw.a', 'mon', 'allow rw', 'osd', 'allow rwx', 'mgr', 'allow rw', '-o', path.join(dir, 'rgw/keyring'));
    await startGateway();
    await sh('radosgw-admin', ['-c', conf, '-n', 'client.admin', 'user', 'create', '--uid', 'djp', '--display-name', 'DJP tests', '--access-key', accessKey, '--secret', secretKey]);
  } catch (e) {
    await stopRgwDir(dir);
    throw e;
  }

  const s3env = {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: accessKey,
    AWS_SECRET_ACCESS_KEY: secretKey,
    AWS_REGION: 'us-east-1',
  };
  await createBucket(endpoint, bucket, s3env);

  return {
    endpoint,
    bucket,
    env: s3env,
    directory: dir,
    stopGateway: () => kill('client.rgw.a'),
    startGateway,
    async stop() {
      await stopRgwDir(dir);
    },
  };
}

const DAEMONS = ['client.rgw.a', 'osd.0', 'mgr.x', 'mon.a'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killDaemon(dir: string, name: string): Promise<void> {
  const file = path.join(dir, 'run', `${name}.pid`);
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    // A throw-away cluster on memstore: nothing to flush, so no graceful shutdown (which takes seconds).
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await sleep(20);
  }
  rmSync(file, { force: true });
}

/** Stops every daemon of the cluster in `dir` by its pid file and removes the folder. */
export async function stopRgwDir(dir: string): Promise<void> {
  for (const name of DAEMONS) await killDaemon(dir, name).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

async function createBucket(endpoint: string, bucket: string, env: Record<string, string>): Promise<void> {
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // The gateway answers before its pools are all created; the first bucket may need a few tries.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      break;
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') break;
      if (Date.now() > deadline) throw new Error(`rgw: creating bucket ${bucket} failed: ${String((e as Error).message)}`);
      await sleep(500);
    }
  }
  client.destroy();
}
