package dev.roster.sync;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;

import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

import dev.roster.directory.ScheduleSettings;
import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.Arc;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Schedules sources with Quartz's clustered JDBC job store on PostgreSQL (docs/decisions/0018): one
 * durable job per scheduled source with a cron trigger in its time zone, and one poll job for the
 * sources that run on new files, present only while such a source exists. A trigger fires on exactly
 * one instance; a job whose instance dies is recovered by another (requestRecovery), and the run's own
 * lock and record then complete or retry it ({@link SyncRunner}).
 */
@ApplicationScoped
public class SyncScheduler {

    static final String GROUP = "roster-sync";
    static final JobKey POLL = new JobKey("poll-new-files", GROUP);
    static final JobKey DUE_CHANGES = new JobKey("due-dated-changes", GROUP);
    private static final String SOURCE_ID = "sourceId";

    @Inject
    SyncSettings settings;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    SyncSources sources;
    @Inject
    ScheduleSettings scheduleSettings;

    private volatile Scheduler scheduler;

    void start(@Observes StartupEvent event) {
        if (!settings.schedulerEnabled()) {
            Log.info("The sync scheduler is off (roster.sync.scheduler-enabled=false): sources run only when asked to");
            return;
        }
        try {
            DBConnectionManager.getInstance().addConnectionProvider("roster", new ConnectionProvider() {
                @Override
                public Connection getConnection() throws SQLException {
                    return dataSource.getConnection();
                }

                @Override
                public void shutdown() {
                }

                @Override
                public void initialize() {
                }
            });
            Properties p = new Properties();
            p.setProperty("org.quartz.scheduler.instanceName", "roster-sync");
            p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
            p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
            p.setProperty("org.quartz.threadPool.threadCount", "2");
            p.setProperty("org.quartz.threadPool.threadNamePrefix", "roster-sync");
            p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            p.setProperty("org.quartz.jobStore.dataSource", "roster");
            p.setProperty("org.quartz.jobStore.tablePrefix", "qrtz_");
            p.setProperty("org.quartz.jobStore.isClustered", "true");
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(settings.clusterCheckin().toMillis()));
            p.setProperty("org.quartz.jobStore.useProperties", "true");
            p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
            StdSchedulerFactory factory = new StdSchedulerFactory(p);
            Scheduler s = factory.getScheduler();
            s.start();
            scheduler = s;
            reconcileAll();
            scheduleDueChanges(s);
        } catch (SchedulerException | RuntimeException e) {
            Log.errorf(e, "The sync scheduler could not start; sources run only when asked to until the next start");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        Scheduler s = scheduler;
        scheduler = null;
        if (s != null) {
            // Waits a little for the scheduler's threads (they use the datasource, which closes next), but not for
            // a long run: one cut short is recovered by another instance or the next start.
            Thread stopping = new Thread(() -> {
                try {
                    s.shutdown(true);
                } catch (SchedulerException e) {
                    Log.warnf("stopping the sync scheduler: %s", e.getMessage());
                }
            }, "roster-sync-stop");
            stopping.setDaemon(true);
            stopping.start();
            try {
                stopping.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Brings every source's job in line with the table (at start-up, whichever instance starts). */
    void reconcileAll() {
        for (SyncSource source : sources.list()) {
            reconcile(source);
        }
    }

    /** Schedules, reschedules or unschedules the source, and keeps the poll job present only when needed. */
    void reconcile(SyncSource source) {
        Scheduler s = scheduler;
        if (s == null) {
            return;
        }
        try {
            JobKey key = key(source.id());
            if (source.scheduled() && !source.paused()) {
                JobDetail job = JobBuilder.newJob(SourceJob.class).withIdentity(key).usingJobData(SOURCE_ID, source.id().toString())
                        .storeDurably().requestRecovery().build();
                Trigger trigger = TriggerBuilder.newTrigger().withIdentity(key.getName(), GROUP).forJob(key)
                        .withSchedule(CronScheduleBuilder.cronSchedule(SyncCron.quartz(source.schedule()))
                                .inTimeZone(TimeZone.getTimeZone(ZoneId.of(source.timeZone())))
                                .withMisfireHandlingInstructionFireAndProceed())
                        .build();
                s.scheduleJob(job, Set.of(trigger), true);
            } else {
                s.deleteJob(key);
            }
            reconcilePoll(s);
        } catch (SchedulerException e) {
            Log.errorf(e, "could not schedule sync source %s", source.id());
        }
    }

    void forget(UUID sourceId) {
        Scheduler s = scheduler;
        if (s == null) {
            return;
        }
        try {
            s.deleteJob(key(sourceId));
            reconcilePoll(s);
        } catch (SchedulerException e) {
            Log.errorf(e, "could not unschedule sync source %s", sourceId);
        }
    }

    private void reconcilePoll(Scheduler s) throws SchedulerException {
        boolean wanted = sources.list().stream().anyMatch(x -> x.onNewFile() && !x.paused());
        boolean present = s.checkExists(POLL);
        if (wanted && !present) {
            JobDetail job = JobBuilder.newJob(PollJob.class).withIdentity(POLL).storeDurably().requestRecovery().build();
            Trigger trigger = TriggerBuilder.newTrigger().withIdentity(POLL.getName(), GROUP).forJob(POLL)
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                            .withIntervalInMilliseconds(settings.pollInterval().toMillis()).repeatForever()
                            .withMisfireHandlingInstructionNextWithRemainingCount())
                    .startNow().build();
            s.scheduleJob(job, Set.of(trigger), true);
        } else if (!wanted && present) {
            s.deleteJob(POLL);
        }
    }

    /** When the source's schedule fires next (null: no schedule, or paused). */
    public Instant nextRun(SyncSource source) {
        if (!source.scheduled() || source.paused()) {
            return null;
        }
        return SyncCron.next(source.schedule(), source.timeZone(), Instant.now());
    }

    public boolean running() {
        return scheduler != null;
    }

    /**
     * The job that runs users' dated changes when due (#26): every roster.schedule.check-interval, first at start-up,
     * so a day missed while Roster was down runs at the next start, once (the runner's lock and run batch).
     */
    private void scheduleDueChanges(Scheduler s) throws SchedulerException {
        JobDetail job = JobBuilder.newJob(DueChangesJob.class).withIdentity(DUE_CHANGES).storeDurably().requestRecovery().build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(DUE_CHANGES.getName(), GROUP).forJob(DUE_CHANGES)
                .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(scheduleSettings.checkInterval().toMillis()).repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount())
                .startNow().build();
        s.scheduleJob(job, Set.of(trigger), true);
    }

    /** Runs the dated changes that are due; at most one at a time across the cluster. */
    @DisallowConcurrentExecution
    public static class DueChangesJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            try {
                Arc.container().instance(ScheduledChangeRunner.class).get().runDue();
            } catch (RuntimeException e) {
                Log.errorf(e, "running the due dated changes failed; the next check retries");
            }
        }
    }

    private static JobKey key(UUID sourceId) {
        return new JobKey("source-" + sourceId, GROUP);
    }

    /** A scheduled source's run; at most one at a time per source across the cluster. */
    @DisallowConcurrentExecution
    public static class SourceJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            UUID id = UUID.fromString(context.getMergedJobDataMap().getString(SOURCE_ID));
            try {
                Arc.container().instance(SyncRunner.class).get().run(id, SyncRun.SCHEDULE);
            } catch (RuntimeException e) {
                Log.errorf(e, "the scheduled run of sync source %s failed", id);
            }
        }
    }

    /** Looks at every source that runs on new files; one failing source never stops the others. */
    @DisallowConcurrentExecution
    public static class PollJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            SyncRunner runner = Arc.container().instance(SyncRunner.class).get();
            List<SyncSource> watched = Arc.container().instance(SyncSources.class).get().list().stream()
                    .filter(s -> s.onNewFile() && !s.paused()).toList();
            for (SyncSource source : watched) {
                try {
                    runner.run(source.id(), SyncRun.NEW_FILE);
                } catch (RuntimeException e) {
                    Log.errorf(e, "looking for a new file of sync source %s failed", source.id());
                }
            }
        }
    }
}
