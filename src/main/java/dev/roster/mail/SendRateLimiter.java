package dev.roster.mail;

/** Spaces sends evenly so one instance hands at most {@code perSecond} messages a second to SMTP. */
final class SendRateLimiter {

    private final long intervalNanos;
    private long nextFree = System.nanoTime();

    SendRateLimiter(double perSecond) {
        this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
    }

    void acquire() throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = Math.max(now, nextFree);
            nextFree = slot + intervalNanos;
            wait = slot - now;
        }
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
