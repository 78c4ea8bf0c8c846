/**
 * How the dashboard writes figures as text. Pure (no DOM), so the browser tests format an
 * answer the same way to compare it with the page.
 */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export const NA = 'N/A';

/** A count: `1,234`. */
export function count(n: number | null | undefined): string {
  return typeof n === 'number' ? integer.format(n) : NA;
}

/** A rate 0..1 as the ops command line writes it: `99.95 %`; none measured: `N/A`. */
export function percent(rate: number | null | undefined): string {
  return typeof rate === 'number' ? `${Math.round(rate * 10_000) / 100} %` : NA;
}

/** Per minute, averaged over an hour: `12.5`. */
export function perMinute(perHour: number): number {
  return Math.round((perHour / 60) * 100) / 100;
}

export const decimalText = (n: number | null | undefined): string =>
  typeof n === 'number' ? decimal.format(n) : NA;

/** A duration: `850 ms`, `4.2 s`, `12.5 min`, `3.1 h`, `2.4 d`; none: `N/A`. */
export function duration(ms: number | null | undefined): string {
  if (typeof ms !== 'number') return NA;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6_000) / 10} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 360_000) / 10} h`;
  return `${Math.round(ms / 8_640_000) / 10} d`;
}

/** An ISO time as `2025-01-05 20:00:00 UTC`; none: `never`. */
export function time(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** An hour key (`2025-01-05T20`) as a chart label: `01-05 20:00`. */
export function hourLabel(hour: string): string {
  const match = /^\d{4}-(\d{2})-(\d{2})T(\d{2})/.exec(hour);
  return match ? `${match[1]}-${match[2]} ${match[3]}:00` : hour;
}

/** A gate's or rate's verdict: PASS, FAIL, or N/A when there is nothing to judge. */
export function verdict(status: 'pass' | 'fail' | 'no_data' | boolean | null | undefined): string {
  if (status === 'pass' || status === true) return 'PASS';
  if (status === 'fail' || status === false) return 'FAIL';
  return NA;
}

/** The stage as operators name it: `backfill_rollout 10 %`, `live`, or `no stage`. */
export function stageText(stage: { name: string | null; percentage?: number }): string {
  if (stage.name === null) return 'no stage';
  return stage.name === 'backfill_rollout' && typeof stage.percentage === 'number'
    ? `${stage.name} ${stage.percentage} %`
    : stage.name;
}

/** success / (success + failure), or null without a sample. */
export function ratio(success: number, failure: number): number | null {
  const total = success + failure;
  return total === 0 ? null : success / total;
}
