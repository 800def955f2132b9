package dev.roster.batch;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * A test hook that makes an apply fail at a chosen line, to prove that nothing of a failed
 * apply stays behind. Unset (the default) it does nothing.
 */
@ApplicationScoped
public class ApplyFaults {

    private volatile long failAtLine = -1;

    public void failAtLine(long line) {
        this.failAtLine = line;
    }

    public void clear() {
        this.failAtLine = -1;
    }

    void check(long line) {
        if (line == failAtLine) {
            throw new IllegalStateException("fault injected at line " + line);
        }
    }
}
