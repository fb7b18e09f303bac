import { describe, expect, it } from 'vitest';
import { decodeFixture, decodeText, type FormatCase, formatCases, local } from './helpers.js';

// Cloud, operating system and infrastructure formats: one realistic fixture each, with the
// detected format, the record count, the first record's time, level and message, and the
// level of every record. Times without a zone are local (built with the local Date
// constructor so the test holds in any TZ); a time without a year takes the fixture's
// modification year, 2024.

describe('built-in formats: cloud, OS and infrastructure', () => {
  const cases: FormatCase[] = [
    {
      file: 'cups.log',
      format: 'cups',
      records: 4,
      first: { ts: '2024-05-01T10:00:00.000Z', level: 'error', levelText: 'E', message: 'Unable to open listen socket for address [v1.::1]:631 - Cannot assign requested address.' },
      levels: ['error', 'info', 'warn', 'debug'],
    },
    {
      file: 'xorg.log',
      format: 'xorg',
      // A line without a (XX) tag (a module's detail) is a record without a level.
      records: 5,
      first: { ts: null, level: 'info', levelText: 'II', message: 'Loading /usr/lib/xorg/modules/libfb.so' },
      levels: ['info', null, 'warn', 'error', 'info'],
    },
    {
      file: 'aws-alb.log',
      format: 'aws-alb',
      records: 4,
      first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', levelText: '2', message: '200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0"' },
      levels: ['info', 'error', 'warn', 'info'],
      second: { ts: '2024-05-01T10:00:01.520Z', levelText: '5' },
    },
    {
      file: 'aws-elb.log',
      format: 'aws-elb',
      records: 4,
      first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', message: '200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0"' },
      // The last line is a TCP listener's: no HTTP status, so no level.
      levels: ['info', 'error', 'warn', null],
    },
    {
      file: 'aws-s3-access.log',
      format: 'aws-s3-access',
      records: 4,
      first: { ts: '2019-02-06T00:00:38.000Z', level: 'info', message: 'REST.GET.VERSIONING - "GET /awsexamplebucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4"' },
      levels: ['info', 'warn', 'info', 'error'],
    },
    {
      file: 'dpkg.log',
      format: 'dpkg',
      records: 7,
      first: { ts: local(2024, 5, 1, 10, 0, 0), level: null, message: 'startup archives unpack' },
      levels: [null, null, null, null, null, null, null],
      second: { message: 'upgrade libc6:amd64 2.36-9+deb12u4 2.36-9+deb12u7' },
    },
    {
      file: 'pacman.log',
      format: 'pacman',
      records: 10,
      first: { ts: '2024-05-01T10:00:00.000Z', level: null, message: "Running 'pacman -Syu'" },
      levels: [null, null, null, null, null, 'warn', null, null, null, 'warn'],
    },
    {
      file: 'dmesg.log',
      format: 'dmesg',
      records: 6,
      first: {
        ts: local(2024, 5, 1, 10, 0, 0),
        level: null,
        message:
          'Linux version 6.1.0-20-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.85-1 (2024-04-11)',
      },
      levels: [null, null, null, null, null, null],
      second: { ts: local(2024, 5, 1, 10, 0, 0) },
    },
    {
      file: 'auditd.log',
      format: 'auditd',
      records: 6,
      first: {
        ts: '2024-05-01T10:00:00.050Z',
        level: 'info',
        levelText: 'success',
        message: 'pid=1 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg=\'unit=ssh comm="systemd" exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=success\'',
      },
      levels: ['info', 'warn', null, null, null, null],
      second: { ts: '2024-05-01T10:00:00.123Z', levelText: 'failed' },
    },
    {
      file: 'cloud-init.log',
      format: 'cloud-init',
      records: 6,
      first: { ts: local(2024, 5, 1, 10, 0, 0, 123), level: 'debug', message: "Cloud-init v. 23.4.4-0ubuntu0~22.04.1 running 'init-local' at Wed, 01 May 2024 10:00:00 +0000. Up 5.01 seconds." },
      levels: ['debug', 'debug', 'warn', 'warn', 'debug', 'debug'],
    },
    {
      file: 'hclog.log',
      format: 'hclog',
      records: 5,
      first: { ts: '2024-05-01T10:00:00.123Z', level: 'info', levelText: 'INFO', message: 'Started HTTP server: address=127.0.0.1:8500 network=tcp' },
      levels: ['info', 'warn', 'error', 'debug', 'error'],
    },
    {
      file: 'android-logcat.log',
      format: 'android-logcat',
      records: 8,
      // logcat announces each log buffer with a banner line: a record of its own, without a time.
      first: { ts: null, level: null, message: '--------- beginning of main' },
      levels: [null, 'info', 'debug', 'warn', null, 'error', 'error', 'warn'],
      second: { ts: local(2024, 5, 1, 10, 0, 0, 123), levelText: 'I', message: 'Start proc 4321:com.example/u0a123 for activity {com.example/com.example.MainActivity}' },
    },
    {
      file: 'macos-unified.log',
      format: 'macos-unified',
      records: 8,
      // `log show` starts with a column header and ends with a summary: records of their own, without a time.
      first: { ts: null, level: null, message: 'Timestamp                       Thread     Type        Activity             PID    TTL' },
      levels: [null, 'notice', 'error', 'info', 'critical', null, null, null],
      second: { ts: '2024-05-01T10:00:00.123Z', levelText: 'Default', message: 'AppleACPIPlatformPower Wake reason: XHC1' },
    },
    {
      file: 'mosquitto.log',
      format: 'mosquitto',
      records: 5,
      first: { ts: '2024-05-01T10:00:00.000Z', level: null, message: 'mosquitto version 2.0.18 starting' },
      levels: [null, null, 'warn', null, 'error'],
    },
  ];

  formatCases(cases);

  it('load balancer and S3 logs keep their columns as fields', () => {
    const alb = decodeFixture('aws-alb.log').records;
    expect(alb[1]!.fields).toMatchObject({ type: 'https', elb_status: '502', target_status: '-', request: 'POST https://www.example.com:443/api/orders HTTP/1.1', domain_name: 'www.example.com' });
    expect(alb[3]!.fields).toMatchObject({ target: '-', actions_executed: 'redirect', redirect_url: 'https://www.example.com:443/' });
    const elb = decodeFixture('aws-elb.log').records;
    expect(elb[1]!.fields).toMatchObject({ elb: 'my-loadbalancer', backend_processing_time: '-1', elb_status: '504' });
    const s3 = decodeFixture('aws-s3-access.log').records;
    expect(s3[1]!.fields).toMatchObject({ bucket: 'awsexamplebucket1', operation: 'REST.GET.BUCKETPOLICY', http_status: '404', error_code: 'NoSuchBucketPolicy' });
    expect(s3[3]!.fields).toMatchObject({ requester: 'arn:aws:sts::123456789012:assumed-role/etl/worker', key: 'reports/2019-02.csv' });
  });

  it('plain dmesg (seconds since boot) decodes as dmesg, without a wall time', () => {
    const { records: recs, decoder: d } = decodeText(
      [
        '[    0.000000] Linux version 6.1.0-20-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.85-1 (2024-04-11)',
        '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-20-amd64 root=UUID=3a1f0b2c-7d4e-4f5a-9b8c-1d2e3f4a5b6c ro quiet',
        '[    1.234567] usb 1-1: new high-speed USB device number 2 using xhci_hcd',
        '[12345.678901] EXT4-fs (sdb1): mounted filesystem 8c1e6f0a-2b3d-4c5e-8f9a-0b1c2d3e4f5a r/w with ordered data mode. Quota mode: none.',
      ].join('\n') + '\n',
    );
    expect(d.describe().format).toBe('dmesg');
    expect(recs.map((r) => r.format)).toEqual(['dmesg', 'dmesg', 'dmesg', 'dmesg']);
    expect(recs.every((r) => r.ts === null)).toBe(true);
    expect(recs[2]!.message).toBe('usb 1-1: new high-speed USB device number 2 using xhci_hcd');
    expect(recs[3]!.fields?.uptime).toBe('12345.678901');
  });

  it('cloud-init: a traceback joins the record it follows', () => {
    const { records } = decodeFixture('cloud-init.log');
    const r = records[4]!;
    expect(r.message.split('\n')[0]).toBe('failed stage init-local');
    expect(r.message).toContain("FileNotFoundError: [Errno 2] No such file or directory: '/var/lib/cloud/instance/obj.pkl'");
    expect([r.firstLine, r.lastLine]).toEqual([5, 11]);
    expect(r.fields?.file).toBe('util.py');
  });

  it('hclog: the logger name is a field; a multi-line value joins its record', () => {
    const { records } = decodeFixture('hclog.log');
    expect(records[2]!.fields?.name).toBe('agent.anti_entropy');
    expect(records[2]!.message).toBe('failed to sync remote state: error="No cluster leader"');
    const last = records[4]!;
    expect([last.firstLine, last.lastLine]).toEqual([5, 10]);
    expect(last.message).toContain('bind: address already in use');
  });

  it('macOS unified log: process, sender and subsystem are fields', () => {
    const { records } = decodeFixture('macos-unified.log');
    expect(records[1]!.fields).toMatchObject({ process: 'kernel', sender: 'AppleACPIPlatform', pid: '0' });
    expect(records[2]!.fields).toMatchObject({ process: 'sharingd', sender: 'CoreUtils', subsystem: 'com.apple.sharing', category: 'AirDrop' });
    expect(records[2]!.message).toBe('### Browse failed: -6700/0xFFFFE5D4 kNotFoundErr');
    expect(records[3]!.message).toBe('[app<application.com.apple.Safari.1152921500311884024>:1234] Process exited');
  });

  it('auditd: the record type and event serial are fields; ENRICHED lines keep their translated part', () => {
    const { records } = decodeFixture('auditd.log');
    expect(records[1]!.fields).toMatchObject({ type: 'USER_LOGIN', serial: '456' });
    expect(records[2]!.fields?.type).toBe('SYSCALL');
    expect(records[2]!.message).toContain('\u001dARCH=x86_64 SYSCALL=execve AUID="alice"');
    expect(records[5]!.message).toBe('');
  });

  it('android logcat: tag, pid and tid are fields; a buffer banner does not join the record above', () => {
    const { records } = decodeFixture('android-logcat.log');
    expect(records[5]!.fields).toMatchObject({ tag: 'AndroidRuntime', pid: '4321', tid: '4321' });
    expect(records[5]!.message).toBe('FATAL EXCEPTION: main');
    expect(records[5]!.tsAssumed).toBe('year+zone');
    expect(records[3]!.message).toBe('java.io.FileNotFoundException: /data/user/0/com.example/files/config.json: open failed: ENOENT (No such file or directory)');
    expect(records[4]!.fields?.buffer).toBe('crash');
    expect(records[7]!.fields?.tag).toBe('ActivityManager');
  });
});
