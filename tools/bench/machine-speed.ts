/**
 * How fast this machine runs Node right now: the CPU time of a fixed piece of work, best of three,
 * each in a fresh process (nothing of the bench's own JIT state in it). Machines of one kind here
 * differ a lot from one day to the next (the same tree measured 19.0-20.5 ms of CPU per booking
 * one day and 27.7-32.8 ms the next, every process slower alike): CPU per booking is comparable between
 * runs only beside this figure, and a change is judged by runs on the same day.
 */
import { execFileSync } from 'node:child_process';

/**
 * What the services do per message, in small: JSON both ways, short-lived objects, string
 * building, a regular expression, hashing. Warmed up first, then timed in CPU time (not wall
 * time: a busy neighbour's time slices do not count, its effect on caches and clocks does).
 */
const WORK = `
const { createHash } = require('node:crypto');
function round() {
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const text = JSON.stringify({ id: 'b' + i, size: 'M', startDate: '2300-01-0' + (i % 9 + 1), amount: i * 3 });
    const back = JSON.parse(text);
    sum += /^2300-01-0(\\d)$/.exec(back.startDate)[1].length + back.amount;
  }
  for (let i = 0; i < 4000; i++) sum += createHash('sha1').update('event-' + i).digest('hex').length;
  return sum;
}
for (let i = 0; i < 3; i++) round();
const start = process.cpuUsage();
for (let i = 0; i < 10; i++) round();
const used = process.cpuUsage(start);
process.stdout.write(String((used.user + used.system) / 1000));
`;

/** CPU ms of the reference work on this machine now (lower is faster). */
export function machineSpeedMs(): number {
  const runs = Array.from({ length: 3 }, () =>
    Number(execFileSync(process.execPath, ['-e', WORK], { encoding: 'utf8', timeout: 60_000 })),
  );
  return Math.min(...runs);
}
