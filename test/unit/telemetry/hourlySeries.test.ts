import { hourFigures, lastHours } from '../../../functions/src/telemetry/hourlySeries';
import { runDuration } from '../../../functions/src/telemetry/latencyHistogram';
import { sumHours } from '../../../functions/src/telemetry/telemetryReport';

describe('lastHours', () => {
  const now = new Date('2030-05-06T07:08:09Z');

  it('lists every hour up to the current one, oldest first, empty where nothing was read', () => {
    const reading = [
      { hour: '2030-05-06T04', counts: { migration: { completed: 9 } } },
      { hour: '2030-05-06T06', counts: { migration: { completed: 2 } } },
      { hour: '2030-05-06T07', counts: { migration: { completed: 1 } } },
    ];
    const hours = lastHours(reading, now, 3);
    expect(hours.map((h) => h.hour)).toEqual(['2030-05-06T05', '2030-05-06T06', '2030-05-06T07']);
    expect(hours[0].counts).toEqual({});
    expect(hours[2].counts).toEqual({ migration: { completed: 1 } });
    expect(sumHours(hours)).toEqual({ migration: { completed: 3 } });
  });

  it('crosses midnight', () => {
    const hours = lastHours([], new Date('2030-05-06T00:30:00Z'), 2);
    expect(hours.map((h) => h.hour)).toEqual(['2030-05-05T23', '2030-05-06T00']);
  });
});

describe('hourFigures', () => {
  it('turns an hour of counters into the charts figures', () => {
    const figures = hourFigures({
      hour: '2030-05-06T07',
      counts: {
        migration: { completed: 3, completed_with_errors: 1, failed: 2 },
        migrationRecords: { migrated: 120, quarantined: 2 },
        migrationDuration: { [runDuration.outcome('run', 60_000)]: 4 },
        dualWritePrimary: { success: 10, failure: 1, latencyMsTotal: 500 },
        dualWriteSecondary: { success: 8, failure: 2, parked: 1 },
        legacyDelivery: { delivered: 7, retrying: 2 },
        shadowCompare: {
          'habit.consistent': 4,
          'completion.consistent': 5,
          'habit.inconsistent': 1,
        },
        snapshotCache: { hit: 6, notModified: 3 },
      },
    });
    expect(figures).toEqual({
      hour: '2030-05-06T07:00:00.000Z',
      usersCompleted: 4,
      recordsMigrated: 120,
      migrationP95Ms: runDuration.upperBoundMs(runDuration.bucket(60_000)),
      primary: { success: 10, failure: 1 },
      secondary: { success: 8, failure: 2 },
      deliveries: {
        delivered: 7,
        already_equal: 0,
        conflict_resolved: 0,
        failed: 0,
        awaiting_link: 0,
        retrying: 2,
      },
      shadow: { consistent: 9, inconsistent: 1 },
      cache: { hit: 6, miss: 0, notModified: 3 },
    });
  });

  it('has zeros and no p95 for an hour without counts', () => {
    const figures = hourFigures({ hour: '2030-05-06T07', counts: {} });
    expect(figures.usersCompleted).toBe(0);
    expect(figures.migrationP95Ms).toBeNull();
    expect(figures.cache).toEqual({ hit: 0, miss: 0, notModified: 0 });
  });
});
