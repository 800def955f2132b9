package dev.roster.background;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way Roster makes and stops its own threads for background work (planning, applies, mail):
 * named daemon threads, so a thread dump says whose they are, and a stop that waits a bounded time.
 */
public final class BackgroundThreads {

    private BackgroundThreads() {
    }

    /** A fixed pool; threads are named name-1, name-2, ... */
    public static ExecutorService fixed(String name, int threads) {
        return Executors.newFixedThreadPool(Math.max(1, threads), named(name));
    }

    /** A thread per task (for few, long tasks that must not queue behind each other). */
    public static ExecutorService perTask(String name) {
        return Executors.newCachedThreadPool(named(name));
    }

    /**
     * A fixed pool whose queue holds at most {@code queue} tasks: a task that finds it full is refused with a
     * RejectedExecutionException (work that a flood of requests must not pile up without bound).
     */
    public static ExecutorService bounded(String name, int threads, int queue) {
        int n = Math.max(1, threads);
        return new ThreadPoolExecutor(n, n, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue), named(name),
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** One named daemon thread for one long task, started (a writer that lives as long as one apply's phase). */
    public static Thread started(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    public static ExecutorService single(String name) {
        return Executors.newSingleThreadExecutor(named(name));
    }

    /**
     * Stops the executor at shutdown: interrupting its running tasks or letting them finish, and waiting
     * for them at most {@code wait} (zero: not at all).
     */
    public static void stop(ExecutorService executor, boolean interrupt, Duration wait) {
        if (executor == null) {
            return;
        }
        if (interrupt) {
            executor.shutdownNow();
        } else {
            executor.shutdown();
        }
        if (!wait.isZero()) {
            try {
                executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
