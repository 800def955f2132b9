package dev.roster.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the Sources pages show: rows of the list, the edit form's values, and the run chart. */
public final class SourcePages {

    private SourcePages() {
    }

    /** A source on the list. */
    public record Row(SyncSource source, Instant nextRun, SyncRun lastRun) {
    }

    /** The form's values as text (a source's, or what was posted back with an error). */
    public record Form(String name, String kind, String location, String schedule, String timeZone, boolean onNewFile,
            String profile, String matchBy, String scope, String absent, boolean autoApply, String limitCreate,
            String limitUpdate, String limitSuspend, String limitDelete, String pctCreate, String pctUpdate,
            String pctSuspend, String pctDelete, String minRowsFraction, String authType, String username, boolean secretSet) {

        static final Form EMPTY = new Form("", "directory", "", "0 2 * * *", "UTC", false, "", "email", "created",
                "suspend", true, "", "", "", "", "", "", "", "", "0.5", "none", "", false);

        static Form of(SyncSource s) {
            return new Form(s.name(), s.kindName(), s.shownLocation(), s.schedule(), s.timeZone(), s.onNewFile(),
                    s.profile() == null ? "" : s.profile(), s.matchBy().name().toLowerCase(), s.scope(), s.absent().word(),
                    s.autoApply(), text(s.limits().create(), true), text(s.limits().update(), true),
                    text(s.limits().suspend(), true), text(s.limits().delete(), true), text(s.limitsPercent().create(), false),
                    text(s.limitsPercent().update(), false), text(s.limitsPercent().suspend(), false),
                    text(s.limitsPercent().delete(), false), Double.toString(s.minRowsFraction()),
                    s.authType().name().toLowerCase(), s.username() == null ? "" : s.username(), s.secretSet());
        }

        private static String text(Double v, boolean whole) {
            if (v == null) {
                return "";
            }
            return whole || v == Math.rint(v) ? Long.toString(Math.round(v)) : Double.toString(v);
        }

        /** The API's input from the form (blank limits are none; the secret only when typed). */
        SourceInput input(String secret) {
            return new SourceInput(name, kind, location, schedule, timeZone, onNewFile, "roster", profile, matchBy, scope,
                    absent, autoApply, limits(limitCreate, limitUpdate, limitSuspend, limitDelete),
                    limits(pctCreate, pctUpdate, pctSuspend, pctDelete), number(minRowsFraction, 0.5), false, authType,
                    username, "bearer".equalsIgnoreCase(authType) ? blankToNull(secret) : null,
                    "basic".equalsIgnoreCase(authType) ? blankToNull(secret) : null);
        }

        private static Map<String, Number> limits(String create, String update, String suspend, String delete) {
            Map<String, Number> m = new java.util.LinkedHashMap<>();
            putNumber(m, "create", create);
            putNumber(m, "update", update);
            putNumber(m, "suspend", suspend);
            putNumber(m, "delete", delete);
            return m;
        }

        private static void putNumber(Map<String, Number> m, String key, String value) {
            if (value != null && !value.isBlank()) {
                m.put(key, number(value, -1));
            }
        }

        private static double number(String value, double fallback) {
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                return Double.parseDouble(value.strip());
            } catch (NumberFormatException e) {
                return -1; // refused by the check, which names the field
            }
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s;
        }
    }

    /** One bar of the chart. */
    public record Bar(int x, int y, int width, int height, String fill, String title) {
    }

    /** Creates, updates and suspensions per run, oldest first: an inline SVG, no script. */
    public record Chart(List<Bar> bars, int width, int height, long max, int runs) {
        static final int HEIGHT = 120;
        static final int GROUP = 18;

        static Chart of(List<SyncRun> newestFirst) {
            List<SyncRun> runs = new ArrayList<>(newestFirst.stream().filter(r -> r.batchId() != null && !r.counts().isEmpty())
                    .toList());
            java.util.Collections.reverse(runs);
            long max = 1;
            for (SyncRun r : runs) {
                max = Math.max(max, Math.max(r.count("create"), Math.max(r.count("update"), r.count("suspend"))));
            }
            List<Bar> bars = new ArrayList<>();
            int x = 4;
            for (SyncRun r : runs) {
                x = bar(bars, x, r.count("create"), max, "#2e7d32", r, "created");
                x = bar(bars, x, r.count("update"), max, "#1565c0", r, "updated");
                x = bar(bars, x, r.count("suspend"), max, "#c62828", r, "suspended");
                x += GROUP - 15;
            }
            return new Chart(bars, Math.max(x + 4, 60), HEIGHT, max, runs.size());
        }

        private static int bar(List<Bar> bars, int x, long n, long max, String fill, SyncRun r, String what) {
            int h = n == 0 ? 1 : (int) Math.max(2, Math.round((HEIGHT - 8) * (double) n / max));
            bars.add(new Bar(x, HEIGHT - h, 4, h, fill, n + " " + what + " (run of " + r.startedAt() + ")"));
            return x + 5;
        }
    }
}
