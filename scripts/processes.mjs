// Child processes that start and stop as a unit. Each runs in a process group of its own, so the
// terminal's Ctrl+C reaches only us: firebase-tools counts every SIGINT it gets, and a second one
// (the terminal's plus the one we forward) makes it quit without stopping its emulator JVMs.
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';

/** Spawns `command` as the leader of a new process group. */
export function spawnGroup(command, args, options) {
  return spawn(command, args, { ...options, detached: true });
}

const exited = (child) => child.exitCode !== null || child.signalCode !== null;

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

/** Every process below `pid`, found through their parents (ps works on Linux and macOS). */
function descendants(pid) {
  const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map();
  for (const line of (ps.stdout ?? '').split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(child);
  }
  const found = [];
  const visit = (parent) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

function waitForExit(child, ms) {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/**
 * Asks a group's leader to stop with `stopSignal`, waits up to `graceMs`, then kills whatever is
 * left below it: an emulator JVM that outlives firebase-tools would hold its port, and
 * firebase-tools starts each JVM in a session of its own, out of reach of a group signal.
 * Resolves with true when the leader stopped by itself in time.
 */
export async function stopGroup(child, { stopSignal = 'SIGINT', graceMs }) {
  // Taken before the leader exits: its orphans are re-parented and could no longer be found.
  let below = descendants(child.pid);
  if (!exited(child)) signal(-child.pid, stopSignal);
  const clean = await waitForExit(child, graceMs);
  if (!clean) below = [...new Set([...below, ...descendants(child.pid)])];
  signal(-child.pid, 'SIGKILL');
  for (const pid of below) signal(pid, 'SIGKILL');
  await waitForExit(child, 1000);
  return clean;
}

/** True when something accepts connections on 127.0.0.1:port. */
export function isListening(port, host = '127.0.0.1') {
  return new Promise((done) => {
    const socket = connect({ port, host });
    const finish = (answer) => {
      socket.destroy();
      done(answer);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.setTimeout(1000, () => finish(false));
  });
}

/** The pid and command line of the process listening on `port`, where lsof can tell. */
function listener(port) {
  const found = spawnSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], {
    encoding: 'utf8',
  });
  const pid = Number((found.stdout ?? '').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const ps = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  return { pid, command: (ps.stdout ?? '').trim().slice(0, 100) };
}

/**
 * The ports among `ports` ({ name: port }) that something already listens on, each with its
 * process where it can be found: usually an emulator left over from an earlier run.
 */
export async function busyPorts(ports) {
  const busy = [];
  for (const [name, port] of Object.entries(ports)) {
    if (await isListening(port)) busy.push({ name, port, ...listener(port) });
  }
  return busy;
}

/** What to tell someone whose ports are taken: who holds each, and one command to stop them. */
export function describeBusyPorts(busy) {
  const lines = busy.map(
    ({ name, port, pid, command }) =>
      `  port ${port} (${name}): ${pid ? `pid ${pid} ${command}` : 'held by a process lsof cannot see'}`,
  );
  const pids = [...new Set(busy.map((b) => b.pid).filter(Boolean))];
  return [
    'These ports are in use, most likely by emulators left over from an earlier npm start or npm test:',
    ...lines,
    pids.length > 0
      ? `Stop them with:  kill ${pids.join(' ')}   (kill -9 ${pids.join(' ')} if they stay)`
      : 'Stop the processes holding them, then start again.',
  ].join('\n');
}
