package dev.roster.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.postgresql.PGConnection;

import dev.roster.background.BackgroundThreads;
import io.quarkus.logging.Log;
import org.postgresql.copy.CopyIn;

/**
 * COPYs a bulk writer's chunks on a thread of their own, in order, while the writer builds the next chunk (#27).
 * A chunked writer otherwise alternates: PostgreSQL waits while Java reads the plan and builds rows, Java waits
 * while PostgreSQL stores them. On two cores the two overlap: the apply's audit events and links were about twice
 * PostgreSQL's own time to store them (docs/performance.md). At most {@code depth} chunks wait, so memory stays
 * bounded whatever the batch's size. The connection is the caller's and stays in its transaction: while chunks are
 * pending the caller must not use it, and {@link #finish()} (or {@link #close()}) returns only when the writer
 * thread has let go of it. Statements queued with {@link #run} run on the writer thread: the connection must be one
 * the caller opened itself (Jdbc.inTransaction), never one enlisted in a JTA transaction, which Agroal ties to the
 * thread that began it.
 */
public final class WriteBehind implements BulkWrites, AutoCloseable {

    /** One write: a COPY of rows (copySql and rows), or a statement. */
    private record Chunk(String copySql, byte[] rows, Statement statement) {
    }

    private static final Chunk END = new Chunk(null, null, null);

    private final Connection connection;
    private final BlockingQueue<Chunk> queue;
    private final Thread thread;
    private volatile Throwable failure;
    /** The writer took END: it wrote (or, after a failure, dropped) everything queued before it. */
    private volatile boolean ended;
    private final String name;
    private final long started = System.nanoTime();
    private long rows;
    private volatile long written;
    private volatile long writerBusyNanos;
    private volatile int chunks;
    private long producerWaitNanos;
    private boolean finished;

    public WriteBehind(Connection connection, int depth, String name) {
        this.connection = connection;
        this.name = name;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, depth));
        this.thread = BackgroundThreads.started("roster-write-behind-" + name, this::drain);
    }

    /**
     * Queues the chunk's rows for {@code COPY tableAndColumns FROM STDIN}, waiting while {@code depth} chunks are
     * pending; the chunk is emptied for reuse. Throws the failure of an earlier chunk, if one failed.
     */
    @Override
    public void copy(String tableAndColumns, CopyText chunk) {
        if (chunk.length() == 0) {
            rethrow();
            return;
        }
        put(new Chunk("COPY " + tableAndColumns + " FROM STDIN", chunk.takeBytes(), null));
    }

    /** Queues a statement, run in order with the chunks. */
    @Override
    public void run(Statement statement) {
        put(new Chunk(null, null, statement));
    }

    private void put(Chunk c) {
        rethrow();
        long waitStart = System.nanoTime();
        try {
            while (!queue.offer(c, 100, TimeUnit.MILLISECONDS)) {
                rethrow();
                writerAlive();
            }
            producerWaitNanos += System.nanoTime() - waitStart;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing", e);
        }
    }

    /** Waits until every queued chunk is stored; throws the first failure. Returns the rows COPY reported. */
    public long finish() {
        if (!finished) {
            finished = true;
            putEnd();
            joinWriter();
            if (!ended && failure == null) {
                // the writer died without taking END (an Error): what it did not write must not be committed
                failure = new IllegalStateException("the writer thread " + thread.getName() + " stopped before the end");
            }
            if (chunks >= 10) {
                // where a bulk write's time went (docs/performance.md): the writer busy all along means PostgreSQL
                // stores slower than the producer builds; the producer waiting long means the same
                Log.infof("write-behind %s: %d writes in %d ms, the writer busy %d ms, the producer waiting %d ms", name,
                        chunks, (System.nanoTime() - started) / 1_000_000, writerBusyNanos / 1_000_000,
                        producerWaitNanos / 1_000_000);
            }
        }
        rethrow();
        return written;
    }

    /** As {@link #finish()} without throwing: for a writer that failed itself (its transaction rolls back anyway). */
    @Override
    public void close() {
        if (!finished) {
            finished = true;
            queue.clear(); // what was not written yet is not wanted any more
            putEnd();
            joinWriter();
        }
    }

    private void putEnd() {
        boolean interrupted = false;
        while (true) {
            try {
                if (queue.offer(END, 100, TimeUnit.MILLISECONDS) || !thread.isAlive()) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns only once the writer thread is done with the connection, interrupted or not. */
    private void joinWriter() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A writer that is gone (an Error killed it) fails the write, never leaves the producer waiting. */
    private void writerAlive() {
        if (!thread.isAlive() && !ended) {
            throw new IllegalStateException("the writer thread " + thread.getName() + " stopped before the end");
        }
    }

    private void drain() {
        try {
            while (true) {
                Chunk c = queue.take();
                if (c == END) {
                    ended = true;
                    return;
                }
                if (failure == null) {
                    long t = System.nanoTime();
                    rows += write(c);
                    written = rows;
                    writerBusyNanos += System.nanoTime() - t;
                    chunks++;
                }
            }
        } catch (InterruptedException e) {
            failure = e;
        } catch (SQLException | RuntimeException | Error e) {
            failure = e;
            // keep taking (and dropping) chunks until END, so a producer waiting on a full queue sees the failure and
            // never hangs; never clear the queue here: END may be in it already
            drainAfterFailure();
        }
    }

    private void drainAfterFailure() {
        try {
            while (queue.take() != END) {
                // discarded: the transaction will roll back
            }
            ended = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long write(Chunk c) throws SQLException {
        if (c.statement() != null) {
            c.statement().run(connection);
            return 0;
        }
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(c.copySql());
        try {
            copy.writeToCopy(c.rows(), 0, c.rows().length);
            return copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private void rethrow() {
        Throwable f = failure;
        if (f instanceof SQLException s) {
            throw new IllegalStateException(s.getMessage(), s);
        }
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f != null) {
            throw new IllegalStateException("writing failed: " + f, f);
        }
    }
}
