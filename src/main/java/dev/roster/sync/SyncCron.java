package dev.roster.sync;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.TimeZone;

import org.quartz.CronExpression;

/**
 * A source's schedule: a Quartz cron expression (seconds first, 6 or 7 fields) or the usual 5-field
 * form ("0 2 * * *", every day at 02:00), which is turned into Quartz's, in the source's time zone.
 */
public final class SyncCron {

    private SyncCron() {
    }

    /**
     * The Quartz form of a schedule.
     *
     * @throws IllegalArgumentException saying what is wrong, with examples
     */
    public static String quartz(String schedule) {
        String s = schedule == null ? "" : schedule.strip().replaceAll("\\s+", " ");
        String[] f = s.split(" ");
        String q = s;
        if (f.length == 5) {
            String dom = f[2];
            String dow = f[4];
            if (!dow.equals("*") && !dow.equals("?")) {
                dom = "?";
            } else {
                dow = "?";
            }
            q = "0 " + f[0] + " " + f[1] + " " + dom + " " + f[3] + " " + dow;
        }
        try {
            CronExpression.validateExpression(q);
        } catch (ParseException e) {
            throw new IllegalArgumentException("schedule \"" + s + "\" is not a cron expression (" + e.getMessage()
                    + "). Write minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\" (every day at 02:00) or "
                    + "\"30 6 * * MON-FRI\" (weekdays at 06:30), or leave it empty to run only on new files or by hand");
        }
        return q;
    }

    /** The next time the schedule fires after {@code after}, or null when it never does again. */
    public static Instant next(String schedule, String timeZone, Instant after) {
        try {
            CronExpression cron = new CronExpression(quartz(schedule));
            cron.setTimeZone(TimeZone.getTimeZone(ZoneId.of(timeZone)));
            Date next = cron.getNextValidTimeAfter(Date.from(after));
            return next == null ? null : next.toInstant();
        } catch (ParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The shortest time between two firings of the schedule, looked at over its next 1,000 firings (a schedule that
     * fires in bursts, "0-4 2 * * *", shows its burst on the first day); null when it fires less than twice.
     */
    public static Duration shortestGap(String schedule, String timeZone, Instant from) {
        try {
            CronExpression cron = new CronExpression(quartz(schedule));
            cron.setTimeZone(TimeZone.getTimeZone(ZoneId.of(timeZone)));
            Date previous = cron.getNextValidTimeAfter(Date.from(from));
            Duration shortest = null;
            for (int i = 0; i < 1000 && previous != null; i++) {
                Date next = cron.getNextValidTimeAfter(previous);
                if (next == null) {
                    break;
                }
                Duration gap = Duration.between(previous.toInstant(), next.toInstant());
                if (shortest == null || gap.compareTo(shortest) < 0) {
                    shortest = gap;
                }
                previous = next;
            }
            return shortest;
        } catch (ParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
