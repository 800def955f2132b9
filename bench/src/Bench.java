import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Roster's benchmark (docs/performance.md): generates CSVs, measures a raw COPY baseline, plan and
 * apply through the API, memory, diff page latency under 20 readers, audit download, the mail
 * sender against an in-process SMTP sink, and Keycloak's partial import of the same users; prints
 * one table. Run by bench/run, which builds the app and passes the settings as system properties.
 */
public class Bench {

    static final String ADMIN = "admin@roster.local";
    static final String PASSWORD = "bench-admin-password-1";

    final boolean smoke = Boolean.getBoolean("bench.smoke");
    final Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath();
    final Path out = Path.of(System.getProperty("bench.out", "bench/out")).toAbsolutePath();
    final String db = System.getProperty("bench.db", "roster_bench");
    final String kcDb = System.getProperty("bench.keycloak-db", "keycloak_bench");
    final String heap = System.getProperty("bench.xmx", "512m");
    final boolean keycloak = !smoke && !Boolean.getBoolean("bench.skip-keycloak");
    final String jfr = System.getProperty("bench.jfr", "");
    final String keycloakArchive = System.getProperty("bench.keycloak-archive", "");
    final List<Integer> sizes = parseSizes(System.getProperty("bench.sizes", smoke ? "1000" : "10000,100000,1000000"));
    final int readers = Integer.getInteger("bench.readers", 20);
    final int readSeconds = Integer.getInteger("bench.read-seconds", smoke ? 2 : 20);
    /** Readers run this long, unrecorded, before the timed part: a page's JIT warm-up takes more than 3 s here. */
    final int warmupSeconds = Integer.getInteger("bench.warmup-seconds", smoke ? 2 : 15);
    final int mailSeconds = Integer.getInteger("bench.mail-seconds", smoke ? 10 : 20);
    /** Members of the group whose page the group readers page through (#13). */
    final int groupMembers = Integer.getInteger("bench.group-members", smoke ? 1000 : 100_000);
    /** Live users the SCIM filter and list rows run on (#24): the largest size, or more seeded by SQL (--scim-directory). */
    final long scimDirectory = Long.getLong("bench.scim-directory", sizes.get(sizes.size() - 1));

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Signed in once through the form, like a browser: HTTP Basic would cost an Argon2 hash on every request. */
    final Map<String, String> cookies = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<String, String> results = new LinkedHashMap<>();
    final List<String[]> rows = new ArrayList<>();
    final List<Process> processes = new ArrayList<>();
    Process roster;
    /** More -D settings for the next Roster start (a phase's own, cleared after it). */
    final List<String> rosterProperties = new ArrayList<>();
    int port;
    /** The CSRF token of the signed-in session (from a page's meta tag). */
    String csrfToken;
    /** Roster's management interface (/q/health, /q/metrics). */
    int managementPort;
    final AtomicLong peakHeap = new AtomicLong();
    /** Peak heap since it was last reset to 0 (the SCIM list row's own). */
    final AtomicLong windowHeap = new AtomicLong();
    final MachineWatch watch = new MachineWatch(List.of(db, kcDb));
    volatile boolean sampling;

    public static void main(String[] args) throws Exception {
        Bench bench = new Bench();
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopAll));
        try {
            bench.run();
        } finally {
            bench.stopAll();
        }
    }

    static List<Integer> parseSizes(String s) {
        List<Integer> list = new ArrayList<>();
        for (String p : s.split(",")) {
            list.add(Integer.parseInt(p.trim()));
        }
        return list;
    }

    String loadAtStart;

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    void run() throws Exception {
        Files.createDirectories(out);
        loadAtStart = loadAverage();
        Thread watcher = new Thread(watch, "machine-watch");
        watcher.setDaemon(true);
        watcher.start();
        log("mode " + (smoke ? "smoke" : "full") + ", sizes " + sizes + ", Roster -Xmx" + heap + ", database " + db);
        psql(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
        // ---- dated changes (#26): bench/run --only scheduled runs this phase alone
        if ("scheduled".equals(System.getProperty("bench.only"))) {
            phase("scheduled");
            scheduledScenario();
            scheduledRows();
            printTable();
            if (smoke) {
                psql(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
            }
            return;
        }
        // ---- end dated changes
        if ("scim".equals(System.getProperty("bench.only"))) {
            scimOnly();
            return;
        }
        // bench/run --only core (#27): onboarding and update per size, the diff readers and Keycloak on the smallest
        // size; none of the other phases (minutes each), for measuring the apply alone
        boolean core = "core".equals(System.getProperty("bench.only"));
        // ---- groups engine (#13, grp-core): onboard with groups + manager vs without; a membership file ----
        if (!core) {
            phase("groups");
            groupScenarios();
        }
        if (Boolean.getBoolean("bench.groups-only")) {
            printTable();
            return;
        }
        // ---- end groups engine ----
        Map<Integer, Path> onboard = new LinkedHashMap<>();
        Map<Integer, Path> update = new LinkedHashMap<>();
        for (int n : sizes) {
            onboard.put(n, generateOnboard(n));
            update.put(n, generateUpdate(n));
        }

        SmtpSink sink = new SmtpSink();
        startRoster(false, sink.port);
        Thread sampler = startHeapSampler();
        Map<Integer, Double> copySeconds = new LinkedHashMap<>();
        Map<Integer, Double> planSeconds = new LinkedHashMap<>();
        Map<Integer, Double> applySeconds = new LinkedHashMap<>();
        Map<Integer, Double> updPlanSeconds = new LinkedHashMap<>();
        Map<Integer, Double> updApplySeconds = new LinkedHashMap<>();
        String largestUpdatePlan = null;
        long auditEvents = 0;
        for (int n : sizes) {
            phase("size " + fmtRows(n));
            copySeconds.put(n, copyBaseline(onboard.get(n)));
            Batch b = uploadAndPlan(onboard.get(n), "onboard");
            planSeconds.put(n, b.planSeconds);
            applySeconds.put(n, apply(b));
            Batch u = uploadAndPlan(update.get(n), "update");
            updPlanSeconds.put(n, u.planSeconds);
            largestUpdatePlan = u.id;
            if (n == sizes.get(sizes.size() - 1)) {
                // The diff page is read while this plan is PLANNED, then it is applied.
                phase("diff readers");
                results.put("diff", diffLatency(u.id, u.rows));
                phase("size " + fmtRows(n));
            }
            updApplySeconds.put(n, apply(u));
            log(String.format(Locale.ROOT, "%,d rows: COPY %.2fs, onboard plan %.2fs apply %.2fs, update plan %.2fs apply %.2fs",
                    n, copySeconds.get(n), planSeconds.get(n), applySeconds.get(n), updPlanSeconds.get(n),
                    updApplySeconds.get(n)));
        }
        if (core) {
            phase("group page readers");
            results.put("groupPage", groupPageLatency());
            coreRows(copySeconds, planSeconds, applySeconds, updPlanSeconds, updApplySeconds, onboard.get(sizes.get(0)));
            return;
        }
        // ---- groups (#13, grp-pages): a group page with many members under 20 readers; its row is added below
        phase("group page readers");
        results.put("groupPage", groupPageLatency());
        // ---- end groups
        // ---- issue #14 (vendor branch): vendor templates and mappings plan like Roster's own format
        phase("vendor templates");
        vendorTemplatePlans(sizes.get(sizes.size() - 1), update.get(sizes.get(sizes.size() - 1)));
        // ---- end issue #14
        // ---- sync (#16): a nightly desired-state file against the largest directory, in this run
        int syncSize = sizes.get(sizes.size() - 1);
        phase("sync");
        double[] sync = syncScenario(syncSize);
        // ---- end sync
        phase("audit download");
        double[] audit = auditDownload();
        // ---- SCIM (#15, #24): /Bulk creating users vs the CSV onboarding of the same users, filter lookups under
        // 20 clients on a directory of the largest size (seeded up to --scim-directory), every user listed in pages of 1,000
        ScimFigures scim = scimScenario();
        // ---- end SCIM
        long rss = vmHwm(roster.pid());
        sampling = false;
        sampler.join();
        stopRoster();

        // Phase two: the sender on, against the sink, draining the invitations queued above.
        phase("mail");
        startRoster(true, sink.port);
        double mailRate = mailRate(sink);
        stopRoster();
        sink.close();
        // ---- dated changes (#26): a day of due activations vs a status update apply, in a Roster of their own
        phase("scheduled");
        scheduledScenario();
        // ---- end dated changes

        Double keycloakSeconds = null;
        Double rosterSmallSeconds = null;
        int peerSize = sizes.get(0);
        Double keycloakScimSeconds = null;
        if (keycloak) {
            phase("keycloak");
            Map<String, List<String>> sets = new LinkedHashMap<>();
            sets.put("bench", keycloakUsers(onboard.get(peerSize)));
            sets.put("scim", keycloakScimUsers(scim.size())); // #24: the very users /Bulk created
            Map<String, Double> kc = keycloakImport(sets);
            keycloakSeconds = kc.get("bench");
            keycloakScimSeconds = kc.get("scim");
        }
        rosterSmallSeconds = planSeconds.get(peerSize) + applySeconds.get(peerSize);

        // The table.
        phase("table");
        sizeRows(copySeconds, planSeconds, applySeconds, updPlanSeconds, updApplySeconds);
        // ---- sync (#16)
        rowPhase = "sync";
        row("Plan sync " + fmtRows(syncSize) + " (1% changed, 0.1% left: suspended)", secs(sync[0]), rate(syncSize, sync[0]),
                String.format(Locale.ROOT, "%.2f× update plan", sync[0] / updPlanSeconds.get(syncSize)), "≤ 1.0× update plan");
        row("Apply sync " + fmtRows(syncSize) + " (" + (long) sync[2] + " changes, +audit)", secs(sync[1]), "",
                String.format(Locale.ROOT, "%.2f× update apply", sync[1] / updApplySeconds.get(syncSize)), "≤ 0.2× update apply");
        // ---- end sync
        scheduledRows(); // dated changes (#26)
        rowPhase = "";
        row("Peak RSS / peak heap (-Xmx" + heap + ")", String.format(Locale.ROOT, "%d MiB / %d MiB", rss / 1024,
                peakHeap.get() >> 20), "", "", "1M rows in 512 MiB");
        rowPhase = "diff readers";
        row("Diff page (htmx fragment, 50 rows), " + readers + " readers, " + fmtRows(sizes.get(sizes.size() - 1)) + "-row plan", results.get("diff"), "", "",
                "p95 ≤ 50 ms");
        rowPhase = "group page readers";
        row("Group page members (htmx fragment, 50 members), " + readers + " readers, " + fmtRows(groupMembers) // groups (#13)
                + "-member group", results.get("groupPage"), "", "", "p95 ≤ 50 ms");
        rowPhase = "audit download";
        row("Audit CSV download", secs(audit[1]), String.format(Locale.ROOT, "%,.0f events/s (%,d events)", audit[0] / audit[1],
                (long) audit[0]), "", "≥ 200k/s");
        rowPhase = "mail";
        row("Outbox → SMTP sink", "", String.format(Locale.ROOT, "%,.0f mails/s", mailRate), "", "≥ 500/s");
        if (keycloakSeconds != null) {
            rowPhase = "keycloak";
            row("Keycloak partial import " + fmtRows(peerSize) + " users", secs(keycloakSeconds), rate(peerSize, keycloakSeconds),
                    ratio(keycloakSeconds, copySeconds.get(peerSize)), "");
            row("Roster plan+apply " + fmtRows(peerSize) + " vs Keycloak", secs(rosterSmallSeconds), "",
                    String.format(Locale.ROOT, "%.1f× faster", keycloakSeconds / rosterSmallSeconds), "≥ 20×");
        }
        scimRows(scim, keycloakScimSeconds); // #15, #24
        vendorTemplateRows(); // issue #14 (vendor branch)
        printTable();
        if (smoke) {
            for (Path p : onboard.values()) {
                Files.deleteIfExists(p);
            }
            for (Path p : update.values()) {
                Files.deleteIfExists(p);
            }
            psql(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
        }
    }

    // ---------------------------------------------------------------- data

    static final String[] GIVEN = { "Anna", "Jonas", "Léa", "José", "Zoë", "Łukasz", "Øyvind", "Åsa", "Mehmet", "Aoife",
            "Björn", "Chloé", "Dmitri", "Eleni", "François", "Grzegorz", "Hana", "İlker", "Jürgen", "Kateřina", "Liam",
            "Maëlle", "Nguyễn Văn", "Olga", "Pål", "Quentin", "Renée", "Søren", "Tomás", "Ugne", "Václav", "Wiktoria",
            "Xavier", "Yusuf", "Zsófia", "María José", "Ji-woo", "Haruto", "Siobhán", "Ana-Maria" };
    static final String[] FAMILY = { "Müller", "Schmidt", "García", "Nowak", "Kowalski", "Nielsen", "Østergaard",
            "O'Brien", "Dubois", "Rossi", "Jovanović", "Horváth", "Novák", "Papadopoulos", "Yılmaz", "Lindqvist",
            "Fernández", "van der Berg", "da Silva", "Nguyễn", "Kim", "Tanaka", "Ivanov", "Łącki", "Šimek", "Öztürk",
            "Brennan", "Þórsson", "Fischer", "Weiß", "Martínez", "Costa", "Smith", "Jones", "Ahmed", "Haddad" };
    static final String[] DEPARTMENTS = { "Sales", "Engineering", "Finance", "Support", "Marketing", "Legal", "HR",
            "Operations", "Research", "Logistics" };
    static final String[] TITLES = { "Engineer", "Manager", "Analyst", "Consultant", "Director", "Assistant",
            "Specialist", "Coordinator" };
    static final String[] LOCALES = { "en-GB", "de-DE", "fr-FR", "es-ES", "pl-PL", "sv-SE", "cs-CZ", "tr-TR", "" };

    static String ascii(String s) {
        String n = java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD).replaceAll("\\p{M}", "");
        return n.toLowerCase(Locale.ROOT).replace("ł", "l").replace("ø", "o").replace("þ", "th").replace("ı", "i")
                .replace("ß", "ss").replaceAll("[^a-z0-9]", "");
    }

    static String email(int size, int i) {
        Random r = new Random(i * 31L + size);
        String g = GIVEN[r.nextInt(GIVEN.length)];
        String f = FAMILY[r.nextInt(FAMILY.length)];
        return ascii(g) + "." + ascii(f) + "." + Integer.toString(i, 36) + "@s" + size + ".example.org";
    }

    static String csv(String v) {
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }

    /** Onboarding: every row invites its user; about 0.2% of the rows are bad (invalid email, no family name, duplicate). */
    Path generateOnboard(int n) throws IOException {
        Path file = out.resolve("onboard-" + n + ".csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("email,external_id,given_name,family_name,department,title,locale,send_invite\n");
            for (int i = 0; i < n; i++) {
                Random r = new Random(i * 31L + n);
                String g = GIVEN[r.nextInt(GIVEN.length)];
                String f = FAMILY[r.nextInt(FAMILY.length)];
                String email = email(n, i);
                String family = f;
                int bad = i % 500;
                if (bad == 7) {
                    email = ascii(g) + " at example.org";
                } else if (bad == 123) {
                    family = "";
                } else if (bad == 333 && i > 0) {
                    email = email(n, i - 1);
                }
                w.write(csv(email) + ",E" + n + "-" + i + "," + csv(g) + "," + csv(family) + ","
                        + DEPARTMENTS[r.nextInt(DEPARTMENTS.length)] + "," + TITLES[r.nextInt(TITLES.length)] + ","
                        + LOCALES[r.nextInt(LOCALES.length)] + ",true\n");
            }
        }
        return file;
    }

    /** Updates the onboarded users: new department and title for 90%, the same values for 10% (unchanged). */
    Path generateUpdate(int n) throws IOException {
        Path file = out.resolve("update-" + n + ".csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("email,department,title\n");
            for (int i = 0; i < n; i++) {
                int bad = i % 500;
                if (bad == 7 || bad == 123 || bad == 333) {
                    continue; // not onboarded
                }
                String[] updated = updated(n, i);
                String dept = updated[0];
                String title = updated[1];
                w.write(email(n, i) + "," + dept + "," + title + "\n");
            }
        }
        return file;
    }

    // ---------------------------------------------------------------- issue #14: vendor templates and mappings

    /** Plan seconds of the same update rows: Roster format (twice, before and after), Google template, inline mapping. */
    double[] vendorPlans;
    int vendorPlanRows;

    /**
     * Plans the same update rows under three headers at the same directory state: Roster's own
     * (email,department,title), Google Workspace's template, and unknown names with an inline mapping. The
     * Roster plan runs first and last; the others are compared with the mean of the two.
     */
    void vendorTemplatePlans(int n, Path rosterFile) throws Exception {
        Path google = withHeader(rosterFile, "google", "Email Address [Required],Department,Employee Title");
        Path mapped = withHeader(rosterFile, "mapped", "Mail,Abteilung,Funktion");
        String mapping = "{\"Mail\":\"email\",\"Abteilung\":\"department\",\"Funktion\":\"title\"}";
        double rosterA = uploadAndPlan(rosterFile, "update").planSeconds;
        double googleS = uploadAndPlan(google, "update").planSeconds;
        double mappedS = uploadAndPlan(mapped, "update", Map.of("mapping", mapping)).planSeconds;
        double rosterB = uploadAndPlan(rosterFile, "update").planSeconds;
        vendorPlans = new double[] { rosterA, googleS, mappedS, rosterB };
        vendorPlanRows = n;
        log(String.format(Locale.ROOT, "%,d rows: update plan Roster format %.2fs / %.2fs, Google template %.2fs, mapping %.2fs",
                n, rosterA, rosterB, googleS, mappedS));
        Files.deleteIfExists(google);
        Files.deleteIfExists(mapped);
    }

    void vendorTemplateRows() {
        if (vendorPlans == null) {
            return;
        }
        double roster = (vendorPlans[0] + vendorPlans[3]) / 2;
        String n = fmtRows(vendorPlanRows);
        rowPhase = "vendor templates";
        row("Plan update " + n + ", Roster format (mean of 2)", secs(roster), rate(vendorPlanRows, roster), "1.0×", "");
        row("Plan update " + n + ", Google Workspace template", secs(vendorPlans[1]), rate(vendorPlanRows, vendorPlans[1]),
                ratio(vendorPlans[1], roster) + " of Roster format", "≤ 1.1×");
        row("Plan update " + n + ", unknown header + inline mapping", secs(vendorPlans[2]), rate(vendorPlanRows, vendorPlans[2]),
                ratio(vendorPlans[2], roster) + " of Roster format", "≤ 1.1×");
    }

    /** The same rows under another header line. */
    Path withHeader(Path file, String tag, String header) throws IOException {
        Path copy = out.resolve(file.getFileName().toString().replace(".csv", "-" + tag + ".csv"));
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                BufferedWriter w = Files.newBufferedWriter(copy, StandardCharsets.UTF_8)) {
            r.readLine();
            w.write(header);
            w.write('\n');
            char[] buffer = new char[1 << 16];
            for (int k; (k = r.read(buffer)) > 0;) {
                w.write(buffer, 0, k);
            }
        }
        return copy;
    }

    /** The department and title of row i of the update file of size n (the same values for every 10th row). */
    static String[] updated(int n, int i) {
        Random r = new Random(i * 31L + n);
        r.nextInt(GIVEN.length);
        r.nextInt(FAMILY.length);
        String dept = DEPARTMENTS[r.nextInt(DEPARTMENTS.length)];
        String title = TITLES[r.nextInt(TITLES.length)];
        if (i % 10 != 0) {
            dept = DEPARTMENTS[(i + 3) % DEPARTMENTS.length].equals(dept) ? dept + " II"
                    : DEPARTMENTS[(i + 3) % DEPARTMENTS.length];
            title = "Senior " + title;
        }
        return new String[] { dept, title };
    }

    // ---------------------------------------------------------------- baseline

    /** The physical baseline: psql's \copy of the same file into a scratch table of text columns. */
    double copyBaseline(Path file) throws Exception {
        psql(db, "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (email text, external_id text, given_name text, "
                + "family_name text, department text, title text, locale text, send_invite text)");
        checkpoint();
        long t = System.nanoTime();
        psql(db, "\\copy bench_copy FROM '" + file + "' WITH (FORMAT csv, HEADER true)");
        double s = (System.nanoTime() - t) / 1e9;
        psql(db, "DROP TABLE bench_copy");
        return s;
    }

    // ---------------------------------------------------------------- Roster

    void startRoster(boolean sender, int smtpPort) throws Exception {
        port = freePort();
        managementPort = freePort();
        List<String> cmd = new ArrayList<>(List.of("java", "-Xmx" + heap, "-XX:+UseG1GC"));
        if (!jfr.isEmpty()) {
            cmd.add("-XX:StartFlightRecording=filename=" + out.resolve(jfr + (sender ? "-mail" : "") + ".jfr") + ",settings=profile");
        }
        cmd.addAll(rosterProperties);
        cmd.addAll(List.of(
                "-Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:5432/" + db,
                "-Dquarkus.datasource.username=roster_app", "-Dquarkus.datasource.password=roster_app",
                "-Dquarkus.flyway.username=roster", "-Dquarkus.flyway.password=roster",
                "-Droster.audit.checkpoint-key=YmVuY2gtY2hlY2twb2ludC1rZXktMzItYnl0ZXMtbG9uZy4=",
                "-Droster.database.allow-default-password=true", "-Droster.admin.password=" + PASSWORD, "-Droster.demo-data=false",
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort, "-Dquarkus.management.host=127.0.0.1",
                "-Droster.mail.sender.enabled=" + sender,
                "-Dquarkus.mailer.mock=false", "-Dquarkus.mailer.host=127.0.0.1", "-Dquarkus.mailer.port=" + smtpPort,
                "-Dquarkus.mailer.start-tls=DISABLED", "-Droster.mail.max-per-second=100000",
                // The prod profile refuses to start without a link key from outside the database (issue #12).
                "-Droster.mail.token-key=" + System.getenv().getOrDefault("ROSTER_MAIL_TOKEN_KEY",
                        "YmVuY2gtb25seS1tYWlsLXRva2VuLWtleS0zMmJ5dGU="),
                "-Droster.mail.concurrency=" + Integer.getInteger("bench.mail-concurrency", 16),
                "-Dquarkus.mailer.max-pool-size=" + Integer.getInteger("bench.mail-concurrency", 16),
                "-Djava.io.tmpdir=" + out,
                "-jar", root.resolve("target/quarkus-app/quarkus-run.jar").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("roster.log").toFile()));
        roster = pb.start();
        processes.add(roster);
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (!roster.isAlive()) {
                throw new IllegalStateException("Roster stopped at start; see " + out.resolve("roster.log"));
            }
            try {
                if (management("/q/health/ready").statusCode() == 200) {
                    log("Roster up on port " + port + " (pid " + roster.pid() + ", sender " + (sender ? "on" : "off") + ")");
                    signIn();
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Roster did not become ready; see " + out.resolve("roster.log"));
    }

    void stopRoster() throws InterruptedException {
        roster.destroy();
        if (!roster.waitFor(40, TimeUnit.SECONDS)) {
            roster.destroyForcibly().waitFor();
        }
        processes.remove(roster);
    }

    record Batch(String id, double planSeconds, long rows, long changes) {
    }

    Batch uploadAndPlan(Path file, String operation) throws Exception {
        return uploadAndPlan(file, operation, Map.of());
    }

    /** Uploads with more form fields (a sync file's scope and absent policy). */
    Batch uploadAndPlan(Path file, String operation, Map<String, String> fields) throws Exception {
        String boundary = "bench" + System.nanoTime();
        StringBuilder extra = new StringBuilder();
        fields.forEach((k, v) -> extra.append("Content-Disposition: form-data; name=\"").append(k).append("\"\r\n\r\n")
                .append(v).append("\r\n--").append(boundary).append("\r\n"));
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"operation\"\r\n\r\n" + operation + "\r\n--"
                + boundary + "\r\n" + extra + "Content-Disposition: form-data; name=\"file\"; filename=\"" + file.getFileName()
                + "\"\r\nContent-Type: text/csv\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest req = session(HttpRequest.newBuilder(uri("/api/batches")), true)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head),
                        HttpRequest.BodyPublishers.ofFile(file), HttpRequest.BodyPublishers.ofString(tail)))
                .timeout(Duration.ofMinutes(10)).build();
        checkpoint();
        long t = System.nanoTime();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 202) {
            throw new IllegalStateException("upload of " + file + " answered " + res.statusCode() + ": " + res.body());
        }
        String id = field(res.body(), "id");
        String body = await(id, "PLANNING");
        double s = (System.nanoTime() - t) / 1e9;
        if (!"PLANNED".equals(field(body, "status"))) {
            throw new IllegalStateException("batch " + id + " ended " + body);
        }
        long changes = number(body, "create") + number(body, "update") + number(body, "delete") + number(body, "reset");
        return new Batch(id, s, number(body, "rows"), changes);
    }

    double apply(Batch b) throws Exception {
        HttpRequest req = session(HttpRequest.newBuilder(uri("/api/batches/" + b.id + "/apply")), true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"confirm\":" + b.changes + ",\"skipErrors\":true}")).build();
        checkpoint();
        long t = System.nanoTime();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 202) {
            throw new IllegalStateException("apply of " + b.id + " answered " + res.statusCode() + ": " + res.body());
        }
        String body = await(b.id, "APPLYING");
        double s = (System.nanoTime() - t) / 1e9;
        if (!"APPLIED".equals(field(body, "status"))) {
            throw new IllegalStateException("apply of " + b.id + " ended " + body);
        }
        return s;
    }

    String await(String id, String whileStatus) throws Exception {
        long deadline = System.currentTimeMillis() + 60 * 60_000L;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> res = get("/api/batches/" + id, true);
            if (!whileStatus.equals(field(res.body(), "status"))) {
                return res.body();
            }
            Thread.sleep(50); // a poll is a session check and a batch read: cheap, but not free on 2 cores
        }
        throw new IllegalStateException("batch " + id + " still " + whileStatus);
    }

    /** 20 readers paging the diff: half the first pages of the tabs, half anywhere in the plan, some key searches. */
    String diffLatency(String id, long rows) throws Exception {
        long pages = Math.max(1, rows / 50);
        String[] tabs = { "all", "update", "unchanged", "error" };
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        for (int phase = 0; phase < 2; phase++) {
            long until = System.nanoTime() + (phase == 0 ? warmupSeconds : readSeconds) * 1_000_000_000L;
            boolean record = phase == 1;
            CountDownLatch done = new CountDownLatch(readers);
            for (int t = 0; t < readers; t++) {
                Thread th = new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    while (System.nanoTime() < until) {
                        int pick = r.nextInt(10);
                        String path;
                        if (pick < 5) {
                            path = "/batches/" + id + "?kind=" + tabs[r.nextInt(tabs.length)] + "&page=" + (1 + r.nextInt(5));
                        } else if (pick < 9) {
                            path = "/batches/" + id + "?kind=all&page=" + (1 + r.nextLong(pages));
                        } else {
                            path = "/batches/" + id + "?kind=all&q=" + ascii(GIVEN[r.nextInt(GIVEN.length)]).substring(0, 3)
                                    + "&page=1";
                        }
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> res = htmxGet(path);
                            if (res.statusCode() != 200) {
                                failures.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                        if (record) {
                            latencies.add(System.nanoTime() - t0);
                        }
                    }
                    done.countDown();
                });
                th.start();
            }
            done.await();
        }
        long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        double rps = l.length / (double) readSeconds;
        return String.format(Locale.ROOT, "p50 %.1f / p95 %.1f / p99 %.1f ms, %,.0f req/s%s", pct(l, 50), pct(l, 95),
                pct(l, 99), rps, failures.get() > 0 ? ", " + failures.get() + " failed" : "");
    }

    // ---------------------------------------------------------------- groups (#13, grp-pages)

    /** A member's id in the seeded group: md5("bench-gm-" + i) as a uuid, the same in SQL and here. */
    static String benchMemberId(long i) throws Exception {
        return benchMemberIdOf("bench-gm-" + i);
    }

    /**
     * Seeds with SQL a group of {@link #groupMembers} users (emails in index order, 1% of them deleted, so never
     * counted or listed), then 20 readers page its members as the group page's htmx does: any page of 50, by the
     * keyset cursor of the member before it. Returns the latencies.
     */
    String groupPageLatency() throws Exception {
        long t = System.nanoTime();
        psql(db, "INSERT INTO directory_user (id, email, given_name, family_name, status, deleted_at) "
                + "SELECT md5('bench-gm-' || i)::uuid, 'gm-' || lpad(i::text, 8, '0') || '@groups.bench.example.org', 'Group', "
                + "'Member ' || i, CASE WHEN i % 100 = 0 THEN 'DELETED' ELSE 'ACTIVE' END, CASE WHEN i % 100 = 0 THEN now() END "
                + "FROM generate_series(0, " + (groupMembers - 1) + ") i; "
                + "INSERT INTO user_group (id, name, description) VALUES (md5('bench-group')::uuid, 'Bench group', 'seeded'); "
                + "INSERT INTO group_membership (group_id, user_id, added_by) SELECT md5('bench-group')::uuid, "
                + "md5('bench-gm-' || i)::uuid, 'bench' FROM generate_series(0, " + (groupMembers - 1) + ") i; "
                + "ANALYZE directory_user; ANALYZE group_membership;");
        log(String.format(Locale.ROOT, "groups: seeded a %,d-member group in %.1f s", groupMembers, (System.nanoTime() - t) / 1e9));
        String group = "/groups/" + benchMemberIdOf("bench-group");
        HttpResponse<String> first = htmxGet(group + "/members");
        if (first.statusCode() != 200 || !first.body().contains("gm-00000001@")) {
            throw new IllegalStateException("the group's members fragment answered " + first.statusCode());
        }
        String[] cursors = new String[(int) Math.max(1, groupMembers / 50)];
        for (int k = 0; k < cursors.length; k++) {
            cursors[k] = benchMemberId(k * 50L + 49);
        }
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        for (int phase = 0; phase < 2; phase++) {
            long until = System.nanoTime() + (phase == 0 ? warmupSeconds : readSeconds) * 1_000_000_000L;
            boolean record = phase == 1;
            CountDownLatch done = new CountDownLatch(readers);
            for (int r = 0; r < readers; r++) {
                new Thread(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (System.nanoTime() < until) {
                        // Any page: forward from a random cursor, 1 in 5 backwards (the Previous link).
                        String cursor = cursors[random.nextInt(cursors.length)];
                        String path = group + "/members?" + (random.nextInt(5) == 0 ? "before=" : "after=") + cursor;
                        long t0 = System.nanoTime();
                        try {
                            if (htmxGet(path).statusCode() != 200) {
                                failures.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                        if (record) {
                            latencies.add(System.nanoTime() - t0);
                        }
                    }
                    done.countDown();
                }).start();
            }
            done.await();
        }
        long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        String result = String.format(Locale.ROOT, "p50 %.1f / p95 %.1f / p99 %.1f ms, %,.0f req/s%s", pct(l, 50), pct(l, 95),
                pct(l, 99), l.length / (double) readSeconds, failures.get() > 0 ? ", " + failures.get() + " failed" : "");
        log("groups: " + result);
        return result;
    }

    /** md5(seed)::uuid, as PostgreSQL makes it. */
    static String benchMemberIdOf(String seed) throws Exception {
        byte[] d = java.security.MessageDigest.getInstance("MD5").digest(seed.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte b : d) {
            hex.append(String.format("%02x", b));
        }
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-" + hex.substring(16, 20)
                + "-" + hex.substring(20);
    }

    // ---------------------------------------------------------------- end groups

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    // ---------------------------------------------------------------- SCIM (#15)

    /** A read-write API token, made through the API by the signed-in bootstrap admin. */
    String scimToken() throws Exception {
        HttpResponse<String> res = http.send(session(HttpRequest.newBuilder(uri("/api/tokens")), true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"bench\", \"scope\": \"read-write\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 201) {
            throw new IllegalStateException("token: " + res.statusCode() + " " + res.body());
        }
        return field(res.body(), "token");
    }

    /** The server's /Bulk maxOperations (ServiceProviderConfig), so the requests are as large as it takes. */
    int scimMaxOperations(String token) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri("/scim/v2/ServiceProviderConfig"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        long max = number(res.body(), "maxOperations");
        if (res.statusCode() != 200 || max < 1) {
            throw new IllegalStateException("ServiceProviderConfig answered " + res.statusCode() + ": " + res.body());
        }
        return (int) max;
    }

    /** One of the n users the SCIM rows create, in a domain of its own: /Bulk, the CSV and Keycloak get the same ones. */
    record ScimPerson(String mail, String given, String family, String title, String department) {
    }

    static ScimPerson scimPerson(int n, int i, String domain) {
        Random r = new Random(i);
        return new ScimPerson("scim." + Integer.toString(i, 36) + "@" + domain + n + ".example.org", GIVEN[r.nextInt(GIVEN.length)],
                FAMILY[r.nextInt(FAMILY.length)].replace("'", ""), TITLES[r.nextInt(TITLES.length)],
                DEPARTMENTS[r.nextInt(DEPARTMENTS.length)]);
    }

    /** Seconds for /Bulk to create n users in requests of maxOps POST /Users operations. */
    double scimBulk(int n, String token, int maxOps) throws Exception {
        long t = System.nanoTime();
        for (int from = 0; from < n; from += maxOps) {
            StringBuilder body = new StringBuilder("{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"], \"Operations\": [");
            for (int i = from; i < Math.min(n, from + maxOps); i++) {
                ScimPerson p = scimPerson(n, i, "scim");
                body.append(i == from ? "" : ",").append("{\"method\": \"POST\", \"path\": \"/Users\", \"bulkId\": \"u")
                        .append(i).append("\", \"data\": {\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:User\", ")
                        .append("\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"], \"userName\": \"").append(p.mail())
                        .append("\", \"emails\": [{\"value\": \"").append(p.mail()).append("\", \"primary\": true}], \"name\": {\"givenName\": \"")
                        .append(p.given()).append("\", \"familyName\": \"").append(p.family()).append("\"}, \"title\": \"")
                        .append(p.title()).append("\", \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\": {\"department\": \"")
                        .append(p.department()).append("\"}}}");
            }
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri("/scim/v2/Bulk")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/scim+json").timeout(Duration.ofMinutes(10))
                    .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString())).build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200 || res.body().contains("\"status\":\"4") || res.body().contains("\"status\":\"5")) {
                throw new IllegalStateException("SCIM bulk answered " + res.statusCode() + ": "
                        + res.body().substring(0, Math.min(500, res.body().length())));
            }
        }
        double s = (System.nanoTime() - t) / 1e9;
        log(String.format(Locale.ROOT, "SCIM /Bulk created %,d users in %.2fs (%,d operations per request)", n, s, maxOps));
        return s;
    }

    /** The same n users as a CSV onboarding file (no invitations: a SCIM creation sends none either). */
    Path generateScimCsv(int n) throws IOException {
        Path file = out.resolve("scim-csv-" + n + ".csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("email,given_name,family_name,title,department,send_invite\n");
            for (int i = 0; i < n; i++) {
                ScimPerson p = scimPerson(n, i, "scimcsv");
                w.write(p.mail() + "," + csv(p.given()) + "," + csv(p.family()) + "," + p.title() + "," + p.department() + ",false\n");
            }
        }
        return file;
    }

    /** The same n users for Keycloak's admin API. */
    static List<String> keycloakScimUsers(int n) {
        List<String> users = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ScimPerson p = scimPerson(n, i, "scim");
            users.add("{\"username\":" + js(p.mail()) + ",\"email\":" + js(p.mail()) + ",\"firstName\":" + js(p.given())
                    + ",\"lastName\":" + js(p.family()) + ",\"enabled\":true,\"attributes\":{\"title\":[" + js(p.title())
                    + "],\"department\":[" + js(p.department()) + "]}}");
        }
        return users;
    }

    /**
     * Live users for the SCIM filter and list rows: when the directory holds fewer than {@code target} (the largest
     * size, or --scim-directory), the rest are seeded with one INSERT ... generate_series (about 1M rows a minute here).
     * Returns the live users.
     */
    long seedScimDirectory(long target) throws Exception {
        long live = Long.parseLong(psql(db, "SELECT count(*) FROM directory_user WHERE status <> 'DELETED'").strip());
        if (live < target) {
            long t = System.nanoTime();
            psql(db, "INSERT INTO directory_user (id, email, given_name, family_name, status) SELECT md5('bench-scim-seed-' || i)::uuid, "
                    + "'seed-' || i || '@seed.bench.example.org', 'Seed', 'User ' || i, 'ACTIVE' FROM generate_series(1, "
                    + (target - live) + ") i; ANALYZE directory_user;");
            log(String.format(Locale.ROOT, "scim: seeded %,d users in %.1f s", target - live, (System.nanoTime() - t) / 1e9));
            live = target;
        }
        return live;
    }

    /**
     * Every live user through GET /Users in pages of 1,000 by cursor (RFC 9865: cursor= for the first page, then each
     * answer's nextCursor until an answer has none), as a client enumerating the directory does, with Roster's own
     * -Xmx. {seconds, users listed, totalResults, pages, peak heap bytes}.
     */
    double[] scimListAll(String token) throws Exception {
        windowHeap.set(0);
        long t = System.nanoTime();
        long listed = 0;
        long total = -1;
        long pages = 0;
        for (String cursor = ""; cursor != null; pages++) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri("/scim/v2/Users?count=1000&cursor=" + cursor))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("SCIM list at page " + (pages + 1) + " answered " + res.statusCode() + ": "
                        + res.body().substring(0, Math.min(300, res.body().length())));
            }
            listed += number(res.body(), "itemsPerPage");
            total = Math.max(total, number(res.body(), "totalResults"));
            cursor = field(res.body(), "nextCursor"); // base64url: nothing to escape
        }
        double s = (System.nanoTime() - t) / 1e9;
        Thread.sleep(300); // one more heap sample
        log(String.format(Locale.ROOT, "scim: listed %,d of %,d users in %,d pages by cursor in %.2fs, peak heap %d MiB", listed,
                total, pages, s, windowHeap.get() >> 20));
        return new double[] { s, listed, total, pages, windowHeap.get() };
    }

    /** 20 clients alternating userName eq and emails[value eq] lookups of onboarded users; p50/p95/p99. */
    String scimFilterLatency(String token, int size) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        for (int phase = 0; phase < 2; phase++) {
            long until = System.nanoTime() + (phase == 0 ? warmupSeconds : readSeconds) * 1_000_000_000L;
            boolean record = phase == 1;
            CountDownLatch done = new CountDownLatch(readers);
            for (int t = 0; t < readers; t++) {
                Thread th = new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    while (System.nanoTime() < until) {
                        String mail = email(size, r.nextInt(size));
                        String filter = r.nextBoolean() ? "userName eq \"" + mail + "\"" : "emails[value eq \"" + mail + "\"]";
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri("/scim/v2/Users?filter="
                                    + java.net.URLEncoder.encode(filter, StandardCharsets.UTF_8).replace("+", "%20")))
                                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
                            if (res.statusCode() != 200) {
                                failures.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                        if (record) {
                            latencies.add(System.nanoTime() - t0);
                        }
                    }
                    done.countDown();
                });
                th.start();
            }
            done.await();
        }
        long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(Locale.ROOT, "p50 %.1f / p95 %.1f / p99 %.1f ms, %,.0f req/s%s", pct(l, 50), pct(l, 95),
                pct(l, 99), l.length / (double) readSeconds, failures.get() > 0 ? ", " + failures.get() + " failed" : "");
    }

    /** {events, seconds} of the whole trail as CSV. */
    double[] auditDownload() throws Exception {
        HttpRequest req = session(HttpRequest.newBuilder(uri("/api/audit/export?format=csv")), false)
                .timeout(Duration.ofMinutes(30)).build();
        long t = System.nanoTime();
        HttpResponse<InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        long lines = 0;
        long bytes = 0;
        try (InputStream in = res.body()) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        double s = (System.nanoTime() - t) / 1e9;
        log(String.format(Locale.ROOT, "audit download: %,d events, %,d MB in %.2fs", lines - 1, bytes >> 20, s));
        return new double[] { lines - 1, s };
    }

    /** Messages the sink accepted per second once sending started, over a window (or until the outbox is empty). */
    double mailRate(SmtpSink sink) throws Exception {
        long startWait = System.currentTimeMillis();
        while (sink.count.get() == 0 && System.currentTimeMillis() - startWait < 60_000) {
            Thread.sleep(10);
        }
        long c0 = sink.count.get();
        long t0 = System.nanoTime();
        long until = t0 + mailSeconds * 1_000_000_000L;
        long lastCount = c0;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < until) {
            Thread.sleep(100);
            long c = sink.count.get();
            if (c != lastCount) {
                lastCount = c;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > 2_000_000_000L) {
                break; // outbox drained
            }
        }
        double s = (lastChange - t0) / 1e9;
        double rate = (lastCount - c0) / Math.max(s, 1e-3);
        log(String.format(Locale.ROOT, "mail: %,d messages in %.2fs", lastCount - c0, s));
        return rate;
    }

    Thread startHeapSampler() {
        sampling = true;
        Pattern p = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.E+]+)", Pattern.MULTILINE);
        Thread t = new Thread(() -> {
            while (sampling) {
                try {
                    String body = management("/q/metrics").body();
                    Matcher m = p.matcher(body);
                    long sum = 0;
                    while (m.find()) {
                        sum += (long) Double.parseDouble(m.group(1));
                    }
                    peakHeap.accumulateAndGet(sum, Math::max);
                    windowHeap.accumulateAndGet(sum, Math::max);
                    Thread.sleep(250);
                } catch (Exception e) {
                    // next sample
                }
            }
        }, "heap-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static long vmHwm(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- groups engine (#13, grp-core)

    /**
     * Onboard N users with 3 groups each and a manager against the same users without those columns (plan and
     * apply, ratios in the same run; target 1.5×), then a membership file of 10 groups × the N plain users
     * (smoke: 1k users, 10k rows; full: 100k users, 1M rows) planned and applied by Roster at -Xmx{heap}.
     */
    void groupScenarios() throws Exception {
        int n = Integer.getInteger("bench.groups-users", smoke ? 1000 : 100_000);
        int groups = 10;
        Path plain = out.resolve("groups-plain-" + n + ".csv");
        Path with = out.resolve("groups-with-" + n + ".csv");
        Path memberships = out.resolve("groups-membership-" + n + ".csv");
        Path groupFile = out.resolve("groups-groups.csv");
        try (BufferedWriter p = Files.newBufferedWriter(plain, StandardCharsets.UTF_8);
             BufferedWriter w = Files.newBufferedWriter(with, StandardCharsets.UTF_8)) {
            p.write("email,external_id,given_name,family_name,department,title,send_invite\n");
            w.write("email,external_id,given_name,family_name,department,title,send_invite,groups,manager\n");
            for (int i = 0; i < n; i++) {
                Random r = new Random(i * 31L + n);
                String g = GIVEN[r.nextInt(GIVEN.length)];
                String f = FAMILY[r.nextInt(FAMILY.length)];
                String rest = csv(g) + "," + csv(f) + "," + DEPARTMENTS[i % DEPARTMENTS.length] + ","
                        + TITLES[i % TITLES.length] + ",false";
                p.write("p" + i + "@plain.example.org,P-" + i + "," + rest + "\n");
                // A tree of managers: user i reports to user i / 10 (earlier in the file, created by the same file).
                w.write("w" + i + "@with.example.org,W-" + i + "," + rest + ",Team " + (i % groups) + "|Team "
                        + ((i + 3) % groups) + "|Team " + ((i + 7) % groups) + "," + (i == 0 ? "" : "w" + (i / 10) + "@with.example.org")
                        + "\n");
            }
        }
        try (BufferedWriter m = Files.newBufferedWriter(memberships, StandardCharsets.UTF_8);
             BufferedWriter gf = Files.newBufferedWriter(groupFile, StandardCharsets.UTF_8)) {
            m.write("group,member,action\n");
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < groups; k++) {
                    m.write("Club " + k + ",p" + i + "@plain.example.org,add\n");
                }
            }
            gf.write("name,description\n");
            for (int k = 0; k < groups; k++) {
                gf.write("Team " + k + ",bench team " + k + "\n");
                gf.write("Club " + k + ",bench club " + k + "\n");
            }
        }
        startRoster(false, 25);
        peakHeap.set(0);
        Thread sampler = startHeapSampler();
        apply(groupUpload(groupFile, "groups"));
        Batch b = groupUpload(plain, "onboard");
        double plainPlan = b.planSeconds;
        double plainApply = apply(b);
        Batch g = groupUpload(with, "onboard");
        double withPlan = g.planSeconds;
        double withApply = apply(g);
        long onboardHeap = peakHeap.getAndSet(0);
        Batch mb = groupUpload(memberships, "membership");
        double memberPlan = mb.planSeconds;
        double memberApply = apply(mb);
        long memberHeap = peakHeap.get();
        long rss = vmHwm(roster.pid());
        sampling = false;
        sampler.join();
        stopRoster();
        peakHeap.set(0);
        log(String.format(Locale.ROOT, "groups: onboard %,d plain plan %.2fs apply %.2fs; with groups+manager plan %.2fs "
                + "apply %.2fs; membership %,d rows plan %.2fs apply %.2fs, peak heap %d MiB", n, plainPlan, plainApply,
                withPlan, withApply, (long) n * groups, memberPlan, memberApply, memberHeap >> 20));
        rowPhase = "groups";
        row("Plan onboard " + fmtRows(n) + " without groups/manager", secs(plainPlan), rate(n, plainPlan), "", "");
        row("Plan onboard " + fmtRows(n) + " with 3 groups + manager each", secs(withPlan), rate(n, withPlan),
                ratio(withPlan, plainPlan) + " of plain", "≤ 1.5× plain");
        row("Apply onboard " + fmtRows(n) + " without groups/manager", secs(plainApply), rate(n, plainApply), "", "");
        row("Apply onboard " + fmtRows(n) + " with 3 groups + manager each", secs(withApply), rate(n, withApply),
                ratio(withApply, plainApply) + " of plain", "≤ 1.5× plain");
        row("Plan membership file " + fmtRows(n * groups) + " rows (" + groups + " groups, " + fmtRows(n) + " users)",
                secs(memberPlan), rate((long) n * groups, memberPlan), "", "");
        row("Apply membership file " + fmtRows(n * groups) + " rows (+audit)", secs(memberApply),
                rate((long) n * groups, memberApply), "", "");
        row("Peak heap / RSS, group scenarios (-Xmx" + heap + ")", String.format(Locale.ROOT, "%d MiB / %d MiB",
                Math.max(onboardHeap, memberHeap) >> 20, rss / 1024), "", "", "within -Xmx" + heap);
        if (smoke) {
            for (Path f : List.of(plain, with, memberships, groupFile)) {
                Files.deleteIfExists(f);
            }
            psql(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
        }
    }

    /** Uploads and plans like {@link #uploadAndPlan}; the changes to confirm from the summary (group rows count too). */
    Batch groupUpload(Path file, String operation) throws Exception {
        Batch b = uploadAndPlan(file, operation);
        String body = get("/api/batches/" + b.id(), true).body();
        if (number(body, "error") > 0) {
            throw new IllegalStateException("batch " + b.id() + " has errors: " + body);
        }
        return new Batch(b.id(), b.planSeconds(), b.rows(), number(body, "changes"));
    }

    // ---------------------------------------------------------------- dated changes (#26)

    /** {users, status plan s, status apply s, run s, due → APPLIED s, dated onboard plan s, dated onboard apply s}. */
    double[] scheduled;

    /**
     * A day of n due activations (#26) against a status update apply of n users, in one Roster and one directory.
     * Baseline: n users created suspended (status SUSPENDED, their invitations held) are activated by an update file.
     * Measured: n others, onboarded with a start date 30 days ahead (created suspended, activation pending), are
     * activated by the scheduled run once their pending activations are made due: the bench cannot move Roster's
     * clock, so their due_at is set by SQL to a few seconds ahead (then the tables are vacuumed, as days of waiting
     * would have left them). Roster checks every second here (roster.schedule.check-interval=1s, 5m by default); the
     * run is found in the batch list and timed until APPLIED, from its batch's creation (the run's own time: its
     * plan, written in SQL, and its apply) and from the due instant. Both activations release the held invitations
     * through the outbox; the counts are checked.
     */
    void scheduledScenario() throws Exception {
        int n = smoke ? 1000 : Math.min(100_000, sizes.get(sizes.size() - 1));
        String startDate = LocalDate.now(java.time.ZoneOffset.UTC).plusDays(30).toString();
        Path held = out.resolve("sched-suspended-" + n + ".csv");
        Path activate = out.resolve("sched-activate-" + n + ".csv");
        Path dated = out.resolve("sched-start-dates-" + n + ".csv");
        try (BufferedWriter h = Files.newBufferedWriter(held, StandardCharsets.UTF_8);
             BufferedWriter a = Files.newBufferedWriter(activate, StandardCharsets.UTF_8);
             BufferedWriter d = Files.newBufferedWriter(dated, StandardCharsets.UTF_8)) {
            h.write("email,given_name,family_name,status,send_invite\n");
            a.write("email,status\n");
            d.write("email,given_name,family_name,start_date,send_invite\n");
            for (int i = 0; i < n; i++) {
                Random r = new Random(i * 31L + n);
                String names = csv(GIVEN[r.nextInt(GIVEN.length)]) + "," + csv(FAMILY[r.nextInt(FAMILY.length)]);
                h.write("held." + i + "@sched.example.org," + names + ",SUSPENDED,true\n");
                a.write("held." + i + "@sched.example.org,ACTIVE\n");
                d.write("joiner." + i + "@sched.example.org," + names + "," + startDate + ",true\n");
            }
        }
        rosterProperties.add("-Droster.schedule.check-interval=1s");
        try {
            startRoster(false, 25);
        } finally {
            rosterProperties.clear();
        }
        apply(uploadAndPlan(held, "onboard"));
        Batch onboard = uploadAndPlan(dated, "onboard");
        double onboardApply = apply(onboard);
        long pending = Long.parseLong(psql(db, "SELECT count(*) FROM scheduled_change WHERE status = 'PENDING' AND kind = 'ACTIVATE' "
                + "AND batch_id = '" + onboard.id + "'").strip());
        if (pending != n) {
            throw new IllegalStateException("the onboarding with start dates scheduled " + pending + " activations, not " + n);
        }
        // The baseline: the status update apply of the other n users.
        psql(db, "VACUUM ANALYZE directory_user");
        Batch update = uploadAndPlan(activate, "update");
        double statusApply = apply(update);
        expectInvitations(update.id, n, "the status update");
        // The measured case: the n activations fall due.
        psql(db, "VACUUM ANALYZE directory_user");
        psql(db, "UPDATE scheduled_change SET due_at = date_trunc('milliseconds', now()) + interval '10 seconds' "
                + "WHERE status = 'PENDING' AND batch_id = '" + onboard.id + "'");
        long due = Long.parseLong(psql(db, "SELECT (extract(epoch FROM max(due_at)) * 1000)::bigint FROM scheduled_change "
                + "WHERE batch_id = '" + onboard.id + "'").strip());
        psql(db, "VACUUM ANALYZE scheduled_change");
        if (System.currentTimeMillis() >= due) {
            log("scheduled: the VACUUM outlasted the 10 s before the due instant; the run may have started during it");
        }
        String runId = null;
        String body = null;
        long plannedSince = 0;
        while (true) {
            if (runId == null) {
                String top = get("/api/batches?size=1", true).body();
                if ("scheduled".equals(field(top, "operation"))) {
                    runId = field(top, "id");
                }
            }
            if (runId != null) {
                body = get("/api/batches/" + runId, true).body();
                String status = field(body, "status");
                if ("PLANNED".equals(status)) {
                    plannedSince = plannedSince == 0 ? System.currentTimeMillis() : plannedSince;
                    if (System.currentTimeMillis() - plannedSince > 120_000) {
                        throw new IllegalStateException("the scheduled run " + runId + " stays PLANNED (held?): " + body);
                    }
                } else if (!"APPLYING".equals(status)) {
                    break;
                }
            } else if (System.currentTimeMillis() - due > 10 * 60_000L) {
                throw new IllegalStateException("no scheduled run 10 minutes after the due instant; see " + out.resolve("roster.log"));
            }
            Thread.sleep(50);
        }
        long appliedSeen = System.currentTimeMillis();
        if (!"APPLIED".equals(field(body, "status"))) {
            throw new IllegalStateException("the scheduled run " + runId + " ended " + body);
        }
        double run = (appliedSeen - java.time.Instant.parse(field(body, "createdAt")).toEpochMilli()) / 1e3;
        double fromDue = (appliedSeen - due) / 1e3;
        expectInvitations(runId, n, "the scheduled run");
        long done = Long.parseLong(psql(db, "SELECT (SELECT count(*) FROM scheduled_change WHERE run_batch_id = '" + runId
                + "' AND status = 'DONE') + (SELECT count(*) FROM directory_user WHERE email LIKE 'joiner.%@sched.example.org' "
                + "AND status = 'INVITED' AND NOT invite_on_activation)").strip());
        if (done != 2L * n) {
            throw new IllegalStateException("the scheduled run " + runId + " left " + done + " of " + 2 * n
                    + " changes DONE and users INVITED");
        }
        stopRoster();
        scheduled = new double[] { n, update.planSeconds, statusApply, run, fromDue, onboard.planSeconds, onboardApply };
        log(String.format(Locale.ROOT, "scheduled %,d users: status update plan %.2fs apply %.2fs; onboard with start dates plan "
                + "%.2fs apply %.2fs; the run %.2fs (%.2fs from the due instant), %.2f× the status apply", n, update.planSeconds,
                statusApply, onboard.planSeconds, onboardApply, run, fromDue, run / statusApply));
        if (smoke) {
            for (Path f : List.of(held, activate, dated)) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** The invitations a batch put in the outbox must be one per user it activated. */
    void expectInvitations(String batchId, int n, String what) throws Exception {
        long invites = Long.parseLong(psql(db, "SELECT count(*) FROM mail_outbox WHERE kind = 'INVITE' AND batch_id = '"
                + batchId + "'").strip());
        if (invites != n) {
            throw new IllegalStateException(what + " (batch " + batchId + ") queued " + invites + " invitations, not " + n);
        }
    }

    void scheduledRows() {
        if (scheduled == null) {
            return;
        }
        int n = (int) scheduled[0];
        rowPhase = "scheduled";
        row("Plan onboard " + fmtRows(n) + " with start dates ahead (created suspended)", secs(scheduled[5]),
                rate(n, scheduled[5]), "", "");
        row("Apply onboard " + fmtRows(n) + " with start dates ahead (+" + fmtRows(n) + " activations scheduled)",
                secs(scheduled[6]), rate(n, scheduled[6]), "", "");
        row("Plan status update " + fmtRows(n) + " (SUSPENDED → ACTIVE)", secs(scheduled[1]), rate(n, scheduled[1]), "", "");
        row("Apply status update " + fmtRows(n) + " (SUSPENDED → ACTIVE, +audit, held invitations to the outbox)",
                secs(scheduled[2]), rate(n, scheduled[2]), "1.0× (baseline)", "");
        row("Scheduled run: " + fmtRows(n) + " due activations (due_at set by SQL; plan + apply, +audit, invitations to "
                + "the outbox)", secs(scheduled[3]), rate(n, scheduled[3]), String.format(Locale.ROOT,
                "%.2f× status apply (%.2f× from the due instant, checked every 1 s)", scheduled[3] / scheduled[2],
                scheduled[4] / scheduled[2]), "≤ 1.2× status apply");
    }

    // ---------------------------------------------------------------- sync (#16)

    /**
     * A nightly sync of the n users of the largest size (as they are after the update above): 1% of the rows
     * change a title, 0.1% of the users are left out and get suspended (scope attr.src=hr, set on them first,
     * outside the timing). Returns plan seconds, apply seconds and the changes applied.
     */
    double[] syncScenario(int n) throws Exception {
        psql(db, "UPDATE directory_user SET attributes = attributes || '{\"src\": \"hr\"}' WHERE email LIKE '%@s" + n
                + ".example.org'");
        psql(db, "VACUUM ANALYZE directory_user");
        Path file = out.resolve("sync-" + n + ".csv");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("email,department,title\n");
            for (int i = 0; i < n; i++) {
                int bad = i % 500;
                if (bad == 7 || bad == 123 || bad == 333 || i % 1000 == 999) {
                    continue; // not onboarded, or a leaver (0.1%)
                }
                String[] updated = updated(n, i);
                String dept = updated[0];
                String title = updated[1];
                if (i % 100 == 1) {
                    title = "Principal " + title; // 1% changed
                }
                w.write(email(n, i) + "," + dept + "," + title + "\n");
            }
        }
        Batch b = uploadAndPlan(file, "sync", Map.of("scope", "attr.src=hr", "absent", "suspend"));
        double apply = apply(b);
        log(String.format(Locale.ROOT, "sync %,d users: plan %.2fs, apply %.2fs (%,d changes)", n, b.planSeconds, apply,
                b.changes));
        if (smoke) {
            Files.deleteIfExists(file);
        }
        return new double[] { b.planSeconds, apply, b.changes };
    }

    // ---------------------------------------------------------------- Keycloak

    /** The valid rows of an onboarding file, as Keycloak users without credentials that must set a password. */
    static List<String> keycloakUsers(Path onboardFile) throws IOException {
        List<String> users = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (BufferedReader r = Files.newBufferedReader(onboardFile)) {
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                String[] c = line.split(",", -1);
                if (c.length != 8 || !c[0].contains("@") || c[0].contains(" ") || c[3].isEmpty() || !seen.add(c[0])) {
                    continue;
                }
                users.add("{\"username\":" + js(c[0]) + ",\"email\":" + js(c[0]) + ",\"firstName\":" + js(c[2])
                        + ",\"lastName\":" + js(c[3]) + ",\"enabled\":true,\"requiredActions\":[\"UPDATE_PASSWORD\"],"
                        + "\"attributes\":{\"external_id\":[" + js(c[1]) + "],\"department\":[" + js(c[4])
                        + "],\"title\":[" + js(c[5]) + "],\"locale\":[" + js(c[6]) + "]}}");
            }
        }
        return users;
    }

    /** Seconds for Keycloak's admin API (partial import, 1,000 users a request) to create each set, in a realm of its name. */
    Map<String, Double> keycloakImport(Map<String, List<String>> sets) throws Exception {
        Path home = out.resolve("keycloak-26.5.6");
        if (!Files.exists(home.resolve("bin/kc.sh"))) {
            log("unpacking " + keycloakArchive);
            exec(List.of("tar", "-xzf", keycloakArchive, "-C", out.toString()), null);
        }
        psql(kcDb, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
        int kcPort = freePort();
        int mgmt = freePort();
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev", "--http-host=127.0.0.1",
                "--http-port=" + kcPort, "--http-management-port=" + mgmt, "--health-enabled=true", "--db=postgres",
                "--db-url=jdbc:postgresql://127.0.0.1:5432/" + kcDb, "--db-username=roster", "--db-password=roster")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("keycloak.log").toFile()));
        pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
        Process kc = pb.start();
        processes.add(kc);
        try {
            String base = "http://127.0.0.1:" + kcPort;
            long deadline = System.currentTimeMillis() + 300_000;
            boolean ready = false;
            while (!ready && System.currentTimeMillis() < deadline) {
                try {
                    ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mgmt + "/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (IOException e) {
                    // starting
                }
                if (!kc.isAlive()) {
                    throw new IllegalStateException("Keycloak stopped; see " + out.resolve("keycloak.log"));
                }
                Thread.sleep(500);
            }
            log("Keycloak up on port " + kcPort);
            Map<String, Double> seconds = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> set : sets.entrySet()) {
                seconds.put(set.getKey(), keycloakRealm(base, set.getKey(), set.getValue()));
            }
            return seconds;
        } finally {
            kc.destroy();
            if (!kc.waitFor(30, TimeUnit.SECONDS)) {
                kc.destroyForcibly().waitFor();
            }
            processes.remove(kc);
        }
    }

    String keycloakToken(String base) throws Exception {
        return field(http.send(HttpRequest.newBuilder(URI.create(base + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=admin-cli&username=admin&password=admin"))
                .build(), HttpResponse.BodyHandlers.ofString()).body(), "access_token");
    }

    /** Makes realm {@code name} and times the partial imports of its users. */
    double keycloakRealm(String base, String name, List<String> users) throws Exception {
        String token = keycloakToken(base);
        HttpResponse<String> realm = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/realms"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"realm\":" + js(name) + ",\"enabled\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (realm.statusCode() != 201) {
            throw new IllegalStateException("Keycloak realm: " + realm.statusCode() + " " + realm.body());
        }
        long importNanos = 0;
        int chunk = 1000;
        for (int i = 0; i < users.size(); i += chunk) {
            // a fresh token for every request, outside the timing: the admin token lives 60 s, and a realm's first
            // requests on a loaded machine outlived one taken every 5,000 users (401 at the second realm)
            token = keycloakToken(base);
            long t = System.nanoTime();
            String body = "{\"ifResourceExists\":\"FAIL\",\"users\":[" + String.join(",", users.subList(i, Math.min(users.size(), i + chunk)))
                    + "]}";
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/realms/" + name + "/partialImport"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .timeout(Duration.ofMinutes(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("Keycloak partial import: " + res.statusCode() + " "
                        + res.body().substring(0, Math.min(300, res.body().length())));
            }
            importNanos += System.nanoTime() - t;
        }
        double s = importNanos / 1e9;
        log(String.format(Locale.ROOT, "Keycloak realm %s: imported %,d users in %.2fs", name, users.size(), s));
        return s;
    }

    static String js(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> b.append(ch);
            }
        }
        return b.append('"').toString();
    }

    // ---------------------------------------------------------------- SMTP sink

    /**
     * Accepts any SMTP conversation on a loopback port and counts the messages; keeps nothing, unless a subclass
     * asks for each message's recipient and text ({@link #keepsMessages}, {@link #keep}: the soak's sink).
     */
    static class SmtpSink implements AutoCloseable {
        final ServerSocket server;
        final int port;
        final AtomicLong count = new AtomicLong();

        SmtpSink() throws IOException {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            port = server.getLocalPort();
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread c = new Thread(() -> serve(s), "smtp-sink");
                        c.setDaemon(true);
                        c.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "smtp-accept");
            t.setDaemon(true);
            t.start();
        }

        void serve(Socket s) {
            try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                    OutputStream o = s.getOutputStream()) {
                o.write("220 sink ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
                String line;
                boolean data = false;
                boolean keeps = keepsMessages();
                String recipient = null;
                StringBuilder message = new StringBuilder();
                while ((line = in.readLine()) != null) {
                    if (data) {
                        if (line.equals(".")) {
                            data = false;
                            count.incrementAndGet();
                            if (keeps) {
                                keep(recipient, message.toString());
                                message.setLength(0);
                            }
                            o.write("250 OK\r\n".getBytes(StandardCharsets.US_ASCII));
                            o.flush();
                        } else if (keeps) {
                            message.append(line.startsWith("..") ? line.substring(1) : line).append('\n');
                        }
                        continue;
                    }
                    String cmd = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line.toUpperCase(Locale.ROOT);
                    if (keeps && cmd.equals("RCPT")) {
                        java.util.regex.Matcher m = RCPT.matcher(line);
                        recipient = m.find() ? m.group(1) : line;
                    }
                    String reply = switch (cmd) {
                        case "EHLO" -> "250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n";
                        case "DATA" -> "354 go ahead\r\n";
                        case "QUIT" -> "221 bye\r\n";
                        default -> "250 OK\r\n";
                    };
                    o.write(reply.getBytes(StandardCharsets.US_ASCII));
                    o.flush();
                    if (cmd.equals("DATA")) {
                        data = true;
                    } else if (cmd.equals("QUIT")) {
                        return;
                    }
                }
            } catch (IOException e) {
                // client went away
            }
        }

        private static final java.util.regex.Pattern RCPT = java.util.regex.Pattern.compile("<([^>]*)>");

        /** Whether {@link #keep} is called with each message (else the sink only counts). */
        boolean keepsMessages() {
            return false;
        }

        /** Each message's recipient (RCPT TO) and text, dot-unstuffed, when {@link #keepsMessages}. */
        void keep(String recipient, String message) {
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    HttpResponse<String> get(String path, boolean withAuth) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        if (withAuth) {
            session(b, false);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> management(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> htmxGet(String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).header("HX-Request", "true");
        return http.send(session(b, false).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The session and CSRF cookies (kept by hand: outside the local default they are Secure, and this is plain HTTP). */
    HttpRequest.Builder session(HttpRequest.Builder b, boolean stateChanging) {
        StringBuilder cookie = new StringBuilder();
        cookies.forEach((k, v) -> cookie.append(cookie.length() == 0 ? "" : "; ").append(k).append('=').append(v));
        if (cookie.length() > 0) {
            b.header("Cookie", cookie.toString());
        }
        if (stateChanging && csrfToken != null) {
            b.header("X-CSRF-TOKEN", csrfToken);
        }
        return b;
    }

    void remember(HttpResponse<?> res) {
        for (String header : res.headers().allValues("set-cookie")) {
            String pair = header.split(";", 2)[0];
            int eq = pair.indexOf('=');
            if (eq > 0) {
                cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
    }

    void signIn() throws IOException, InterruptedException {
        cookies.clear();
        HttpResponse<String> loginPage = get("/login", false);
        remember(loginPage);
        String form = "email=" + java.net.URLEncoder.encode(ADMIN, StandardCharsets.UTF_8) + "&password="
                + java.net.URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&next=%2Fbatches&csrf-token="
                + pageToken(loginPage.body());
        HttpResponse<String> res = http.send(session(HttpRequest.newBuilder(uri("/login")), false)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 303) {
            throw new IllegalStateException("sign-in answered " + res.statusCode() + ": " + res.body());
        }
        remember(res);
        // Signed in, the CSRF token is bound to the session: take it from a page, as the browser does.
        csrfToken = pageToken(get("/batches", true).body());
    }

    /** The token a page embeds (the cookie's name and value differ outside the local default and once signed in). */
    static String pageToken(String html) {
        Matcher m = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]*)\">").matcher(html);
        return m.find() ? m.group(1) : "";
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    static long number(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(-?[0-9]+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private boolean checkpoints = !smoke;

    /**
     * #27: every timed plan, apply and COPY starts right after a CHECKPOINT, as bench/floor's COPYs do: the WAL a
     * write costs depends on how long ago the last checkpoint was (the first change of a page after one logs the
     * whole page), so where the server's own checkpoints fell inside a row moved its time (the same 100k apply took
     * 18.7 s in one run and 26.6 s in the next, not all of it for this reason). bench/run lets the
     * bench role ask for one (pg_checkpoint); where it may not, rows start wherever the server's checkpoints are.
     */
    void checkpoint() {
        if (!checkpoints) {
            return;
        }
        try {
            psql(db, "CHECKPOINT");
        } catch (Exception e) {
            checkpoints = false;
            log("CHECKPOINT refused (" + e.getMessage().strip() + "): timed rows start wherever the server's own checkpoints are");
        }
    }

    String psql(String database, String sql) throws Exception {
        Map<String, String> env = Map.of("PGPASSWORD", "roster");
        return exec(List.of("psql", "-h", "127.0.0.1", "-U", "roster", "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtX", "-c", sql), env);
    }

    String exec(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (env != null) {
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))) + " failed: " + output);
        }
        return output;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    void stopAll() {
        for (Process p : List.copyOf(processes)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
            processes.remove(p);
        }
    }

    // ---------------------------------------------------------------- a quiet machine (#27)

    /**
     * Watches the machine while the benchmark runs: once a second the 1-minute load average and the CPU
     * that processes other than this benchmark's used (in cores). Ours are this JVM and its children (Roster,
     * Keycloak, psql) and PostgreSQL's processes for the benchmark's databases and its own housekeeping; every
     * other process (a build, a test suite, another database's backend) is "other". A phase is noisy when the
     * others used more than {@link #NOISY_CORES} on average, or any second above one core.
     */
    static final class MachineWatch implements Runnable {
        static final double NOISY_CORES = 0.15;
        record Sample(String phase, double load1, double others, String top) {
        }
        record Summary(double maxLoad, double meanOthers, double maxOthers, String top, int seconds) {
            boolean noisy() {
                return meanOthers > NOISY_CORES || maxOthers > 1.0;
            }
            @Override
            public String toString() {
                return String.format(Locale.ROOT, "%s: others %.2f cores (max %.2f%s), load ≤ %.1f", noisy() ? "**noisy**" : "quiet",
                        meanOthers, maxOthers, top.isEmpty() ? "" : ", " + top, maxLoad);
            }
        }

        final List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> databases;
        final long self = ProcessHandle.current().pid();
        final long hz = 100; // USER_HZ on Linux
        final Map<Long, Long> lastTicks = new java.util.HashMap<>();
        volatile String phase = "start";
        volatile boolean running = true;

        MachineWatch(List<String> databases) {
            this.databases = databases;
        }

        void phase(String name) {
            phase = name;
        }

        Summary summary(String name) {
            List<Sample> in;
            synchronized (samples) {
                in = samples.stream().filter(x -> x.phase.equals(name)).toList();
            }
            if (in.isEmpty()) {
                return null;
            }
            Map<String, Long> tops = new java.util.HashMap<>();
            in.forEach(x -> { if (!x.top.isEmpty()) tops.merge(x.top, 1L, Long::sum); });
            String top = tops.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
            return new Summary(in.stream().mapToDouble(Sample::load1).max().orElse(0),
                    in.stream().mapToDouble(Sample::others).average().orElse(0),
                    in.stream().mapToDouble(Sample::others).max().orElse(0), top, in.size());
        }

        @Override
        public void run() {
            tick(); // the first reading only sets the counters
            while (running) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                Map<String, Double> others = tick();
                double sum = others.values().stream().mapToDouble(Double::doubleValue).sum();
                String top = others.entrySet().stream().filter(e -> e.getValue() >= 0.05)
                        .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("");
                double load = 0;
                try {
                    load = Double.parseDouble(loadAverage());
                } catch (NumberFormatException ignored) {
                    // not Linux: no load figure
                }
                samples.add(new Sample(phase, load, sum, top));
            }
        }

        /** CPU (cores) of the other processes since the last tick, by command name. */
        private Map<String, Double> tick() {
            Map<String, Double> others = new java.util.HashMap<>();
            java.util.Set<Long> ours = new java.util.HashSet<>();
            ours.add(self);
            ProcessHandle.current().descendants().forEach(h -> ours.add(h.pid()));
            Map<Long, Long> now = new java.util.HashMap<>();
            try (var dirs = Files.list(Path.of("/proc"))) {
                for (Path d : (Iterable<Path>) dirs::iterator) {
                    String name = d.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    long pid = Long.parseLong(name);
                    try {
                        String stat = Files.readString(d.resolve("stat"));
                        int close = stat.lastIndexOf(')');
                        String comm = stat.substring(stat.indexOf('(') + 1, close);
                        String[] f = stat.substring(close + 2).split(" ");
                        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        now.put(pid, ticks);
                        Long before = lastTicks.get(pid);
                        if (before == null || ticks <= before || ours.contains(pid) || ourPostgres(d, comm)) {
                            continue;
                        }
                        others.merge(comm, (ticks - before) / (double) hz, Double::sum);
                    } catch (IOException | RuntimeException gone) {
                        // the process ended between the listing and the read
                    }
                }
            } catch (IOException e) {
                return others;
            }
            lastTicks.clear();
            lastTicks.putAll(now);
            return others;
        }

        /** A PostgreSQL backend of the benchmark's databases, or the server's own background work. */
        private boolean ourPostgres(Path proc, String comm) throws IOException {
            if (!comm.startsWith("postgres")) {
                return false;
            }
            String cmd = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
            // "postgres: 15/main: roster_app roster_bench 127.0.0.1(44226) idle": user, then database
            String[] words = cmd.trim().split("\\s+");
            if (words.length < 5 || !words[1].endsWith(":")) {
                return true; // the postmaster, or its housekeeping (checkpointer, WAL writer, ...)
            }
            String database = words[3];
            return databases.contains(database) || !cmd.contains("127.0.0.1(") && !cmd.contains("[local]");
        }
    }

    static void log(String s) {
        System.out.println("[bench] " + s);
        System.out.flush();
    }

    /** The phase whose machine reading the next rows carry (see {@link MachineWatch}). */
    String rowPhase = "";

    void row(String what, String time, String rate, String ratio, String target) {
        MachineWatch.Summary noise = watch.summary(rowPhase);
        rows.add(new String[] { what, time, rate, ratio, target, noise == null ? "" : noise.toString() });
    }

    /** Starts a phase of the run: its rows are marked with what else used the machine meanwhile. */
    void phase(String name) {
        watch.phase(name);
        log("phase " + name + " (load " + loadAverage() + ")");
    }

    /** The SCIM figures of a run (#15, #24). */
    record ScimFigures(int size, int maxOps, double bulk, double csv, long users, String filters, double[] list) {
    }

    /** /Bulk, the CSV onboarding of the same users, the directory seeded, filter lookups, every user listed. */
    ScimFigures scimScenario() throws Exception {
        int scimSize = smoke ? sizes.get(0) : Math.min(100_000, sizes.get(sizes.size() - 1));
        // The directory is seeded (and analysed) first: /Bulk writes into a directory of that size, as it would in
        // use. Into an empty table that was never analysed, with autovacuum off (as on this machine kind), its
        // lookups were planned as scans: 33 users/s (docs/performance.md, 7 Dec 2026).
        phase("scim seed");
        long scimUsers = seedScimDirectory(scimDirectory);
        phase("scim");
        String scimToken = scimToken();
        int scimMaxOps = scimMaxOperations(scimToken);
        double scimBulkSeconds = scimBulk(scimSize, scimToken, scimMaxOps);
        phase("scim csv");
        Path scimCsv = generateScimCsv(scimSize);
        Batch scimCsvBatch = uploadAndPlan(scimCsv, "onboard");
        double scimCsvSeconds = scimCsvBatch.planSeconds + apply(scimCsvBatch);
        Files.deleteIfExists(scimCsv);
        phase("scim");
        String scimFilters = scimFilterLatency(scimToken, sizes.get(sizes.size() - 1));
        phase("scim list");
        double[] scimList = scimListAll(scimToken);
        return new ScimFigures(scimSize, scimMaxOps, scimBulkSeconds, scimCsvSeconds, scimUsers, scimFilters, scimList);
    }

    void scimRows(ScimFigures s, Double keycloakScimSeconds) {
        rowPhase = "scim";
        row("SCIM /Bulk create " + fmtRows(s.size()) + " users (" + String.format(Locale.ROOT, "%,d", s.maxOps())
                + " ops per request, the server's maxOperations)", secs(s.bulk()), rate(s.size(), s.bulk()), "", "");
        rowPhase = "scim csv";
        row("CSV onboard (plan+apply) of the same " + fmtRows(s.size()) + " users", secs(s.csv()),
                rate(s.size(), s.csv()), String.format(Locale.ROOT, "/Bulk = %.1f× the CSV time", s.bulk() / s.csv()),
                "/Bulk ≤ 3×");
        if (keycloakScimSeconds != null) {
            rowPhase = "keycloak";
            row("Keycloak admin API (partial import) of the same " + fmtRows(s.size()) + " users", secs(keycloakScimSeconds),
                    rate(s.size(), keycloakScimSeconds), String.format(Locale.ROOT, "/Bulk %.1f× faster", keycloakScimSeconds / s.bulk()),
                    "≥ 20×");
        }
        rowPhase = "scim";
        row("SCIM GET /Users?filter=userName eq / emails[value eq], " + readers + " clients, "
                + String.format(Locale.ROOT, "%,d", s.users()) + "-user directory", s.filters(), "", "", "p95 ≤ 20 ms");
        rowPhase = "scim list";
        row("SCIM list every user, pages of 1,000 by cursor (Roster -Xmx" + heap + ")", secs(s.list()[0]), rate((long) s.list()[1], s.list()[0]),
                String.format(Locale.ROOT, "%s: %,d of %,d users in %,d pages, peak heap %d MiB",
                        s.list()[1] == s.list()[2] ? "completed" : "INCOMPLETE", (long) s.list()[1], (long) s.list()[2],
                        (long) s.list()[3], (long) s.list()[4] >> 20), "completes in -Xmx512m");
    }

    /** The rows of the main loop: per size, the COPY baseline, then plan and apply of the onboarding and the update. */
    void sizeRows(Map<Integer, Double> copySeconds, Map<Integer, Double> planSeconds, Map<Integer, Double> applySeconds,
            Map<Integer, Double> updPlanSeconds, Map<Integer, Double> updApplySeconds) {
        for (int n : sizes) {
            rowPhase = "size " + fmtRows(n);
            double copy = copySeconds.get(n);
            row("COPY " + fmtRows(n) + " users (baseline)", secs(copy), rate(n, copy), "1.0×", "");
            row("Plan onboard " + fmtRows(n), secs(planSeconds.get(n)), rate(n, planSeconds.get(n)),
                    ratio(planSeconds.get(n), copy), n == 100_000 ? "≤ 2×" : "");
            // #27: the apply's target is PostgreSQL's own time to store its rows, bench/floor (run after bench/run)
            row("Apply onboard " + fmtRows(n) + " (+audit, invites)", secs(applySeconds.get(n)), rate(n, applySeconds.get(n)),
                    ratio(applySeconds.get(n), copy), n == 100_000 ? "≤ 1.5× bench/floor" : "");
            row("Plan update " + fmtRows(n), secs(updPlanSeconds.get(n)), rate(n, updPlanSeconds.get(n)),
                    ratio(updPlanSeconds.get(n), copy), "");
            row("Apply update " + fmtRows(n) + " (+audit)", secs(updApplySeconds.get(n)), rate(n, updApplySeconds.get(n)),
                    ratio(updApplySeconds.get(n), copy), "");
        }
    }

    /** bench/run --only core: the rows of the main loop, the diff and group page readers, Keycloak on the smallest size (#27). */
    void coreRows(Map<Integer, Double> copySeconds, Map<Integer, Double> planSeconds, Map<Integer, Double> applySeconds,
            Map<Integer, Double> updPlanSeconds, Map<Integer, Double> updApplySeconds, Path peerFile) throws Exception {
        long rss = vmHwm(roster.pid());
        sampling = false;
        stopRoster();
        int peerSize = sizes.get(0);
        Double keycloakSeconds = null;
        if (keycloak) {
            phase("keycloak");
            Map<String, List<String>> sets = new LinkedHashMap<>();
            sets.put("bench", keycloakUsers(peerFile));
            keycloakSeconds = keycloakImport(sets).get("bench");
        }
        phase("table");
        sizeRows(copySeconds, planSeconds, applySeconds, updPlanSeconds, updApplySeconds);
        rowPhase = "";
        row("Peak RSS / peak heap (-Xmx" + heap + ")", String.format(Locale.ROOT, "%d MiB / %d MiB", rss / 1024,
                peakHeap.get() >> 20), "", "", "");
        rowPhase = "diff readers";
        row("Diff page (htmx fragment, 50 rows), " + readers + " readers, " + fmtRows(sizes.get(sizes.size() - 1)) + "-row plan",
                results.get("diff"), "", "", "p95 ≤ 50 ms");
        rowPhase = "group page readers";
        row("Group page members (htmx fragment, 50 members), " + readers + " readers, " + fmtRows(groupMembers)
                + "-member group", results.get("groupPage"), "", "", "p95 ≤ 50 ms");
        if (keycloakSeconds != null) {
            double rosterSmall = planSeconds.get(peerSize) + applySeconds.get(peerSize);
            rowPhase = "keycloak";
            row("Keycloak partial import " + fmtRows(peerSize) + " users", secs(keycloakSeconds), rate(peerSize, keycloakSeconds),
                    ratio(keycloakSeconds, copySeconds.get(peerSize)), "");
            row("Roster plan+apply " + fmtRows(peerSize) + " vs Keycloak", secs(rosterSmall), "",
                    String.format(Locale.ROOT, "%.1f× faster", keycloakSeconds / rosterSmall), "≥ 20×");
        }
        printTable();
    }

    /** bench/run --only scim: the SCIM phases and their Keycloak peer alone (#24's rows), in a Roster of their own. */
    void scimOnly() throws Exception {
        SmtpSink sink = new SmtpSink();
        startRoster(false, sink.port);
        Thread sampler = startHeapSampler();
        ScimFigures scim = scimScenario();
        sampling = false;
        sampler.join();
        stopRoster();
        sink.close();
        Double keycloakScimSeconds = null;
        if (keycloak) {
            phase("keycloak");
            keycloakScimSeconds = keycloakImport(Map.of("scim", keycloakScimUsers(scim.size()))).get("scim");
        }
        phase("table");
        scimRows(scim, keycloakScimSeconds);
        printTable();
    }

    void printTable() throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("Roster benchmark, ").append(LocalDate.now()).append(", ").append(smoke ? "smoke" : "full").append(" run, ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(", load average ").append(loadAtStart).append(" at start, ")
                .append(loadAverage()).append(" at end\n\n");
        b.append("Commit ").append(commit()).append(". A row is **noisy** when processes other than the benchmark's used more than ")
                .append(MachineWatch.NOISY_CORES).append(" cores on average (or one core in any second) during its phase.\n\n");
        b.append("| measure | time | rate | vs COPY | target | machine during the phase |\n|---|---|---|---|---|---|\n");
        for (String[] r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        System.out.println();
        System.out.print(b);
        Files.writeString(out.resolve(smoke ? "table-smoke.md" : "table.md"), b.toString());
    }

    String commit() {
        return commit(root);
    }

    /** The checkout's commit, marked when it has uncommitted changes (the tables of bench/run, LdapBench and the soak). */
    static String commit(Path root) {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").directory(root.toFile()).start();
            String c = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            Process d = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").directory(root.toFile()).start();
            boolean dirty = !new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8).isBlank();
            d.waitFor();
            return c + (dirty ? " (with uncommitted changes)" : "");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    static String secs(double s) {
        return String.format(Locale.ROOT, "%.2f s", s);
    }

    static String rate(long n, double s) {
        return String.format(Locale.ROOT, "%,.0f rows/s", n / s);
    }

    static String ratio(double s, double base) {
        return String.format(Locale.ROOT, "%.1f×", s / base);
    }

    static String fmtRows(int n) {
        return n >= 1_000_000 && n % 1_000_000 == 0 ? (n / 1_000_000) + "M" : n >= 1000 && n % 1000 == 0 ? (n / 1000) + "k" : Integer.toString(n);
    }
}
