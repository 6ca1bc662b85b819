// The case that started the project (shared/seed): a router with four message loops, two with
// the bounded polling guard (wall clock, waits on DISCONNECTED) and two with only a helper check.
// A hand-written "all green" table said the fix was in "both" loops; verify must say otherwise.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

const FIXTURE = path.resolve(__dirname, '../fixtures/python/seed');

interface Check { id: string; status: string; details: string }
interface Loop { function: string; line: number; guard: { kind: string; fingerprint: Record<string, unknown> | null }; status: string }

describe('the seed report, checked by the tool', () => {
  const r = cli(['verify', 'websocket_ssot.py', '--format', 'json'], FIXTURE);
  const report = JSON.parse(r.stdout) as { checks: Check[]; loops: Loop[] };
  const row = (id: string) => report.checks.find((c) => c.id === id) as Check;

  it('finds all four message loops with their guard kinds', () => {
    expect(report.loops.map((l) => [l.function, l.guard.kind, l.status])).toEqual([
      ['WebSocketSSOTRouter._main_message_loop', 'polling', 'pass'],
      ['WebSocketSSOTRouter._factory_message_loop', 'polling', 'pass'],
      ['WebSocketSSOTRouter._isolated_message_loop', 'check', 'fail'],
      ['WebSocketSSOTRouter._legacy_message_loop', 'check', 'fail'],
    ]);
  });

  it('coverage fails naming the isolated and legacy loops, and the gate exits 1', () => {
    expect(r.code).toBe(1);
    expect(row('coverage').status).toBe('fail');
    expect(row('coverage').details).toMatch(/^2 of 4 loops guarded; missing: websocket_ssot\.py:\d+ WebSocketSSOTRouter\._isolated_message_loop \(weak check\); websocket_ssot\.py:\d+ WebSocketSSOTRouter\._legacy_message_loop \(weak check\)$/);
  });

  it('consistency passes for the two identical polling guards', () => {
    expect(row('consistency').status).toBe('pass');
    expect(row('consistency').details).toContain('2 polling guards in websocket_ssot.py match');
    const [main, factory] = report.loops;
    expect(main?.guard.fingerprint).toEqual(factory?.guard.fingerprint);
    expect(main?.guard.fingerprint).toMatchObject({
      timeoutSeconds: 3,
      intervalSeconds: 0.01,
      states: ['application_state', 'client_state'],
      clock: 'wall',
      sleep: 'async',
      onTimeout: 'recheck-break',
      logsOnTimeout: true,
      exitsOnTerminalState: false,
    });
  });

  it('logic warns for the wall clock and for waiting on DISCONNECTED', () => {
    expect(row('logic').status).toBe('warn');
    expect(row('logic').details).toContain('HG005 wall-clock deadline');
    expect(row('logic').details).toContain('HG009 keeps waiting on DISCONNECTED');
  });

  it('the other rows are real checks with their reasons', () => {
    expect(row('syntax').status).toBe('pass');
    expect(row('imports').status).toBe('pass');
    expect(row('parameters').status).toBe('pass');
    expect(row('performance')).toMatchObject({ status: 'pass' });
    expect(row('performance').details).toContain('3 s per message (300 polls)');
  });
});
