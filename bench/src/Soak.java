import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.naming.AuthenticationException;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.Control;
import javax.naming.ldap.InitialLdapContext;
import javax.naming.ldap.LdapContext;
import javax.naming.ldap.PagedResultsControl;

/**
 * Roster's soak test (issue #27, docs/performance.md): two packaged Roster instances on one PostgreSQL, both
 * sending mail to one in-process SMTP sink that keeps what it receives, under a bounded mixed load for a set
 * time: CSV onboarding and update batches (some applied from both instances at once), SCIM writes and reads,
 * a directory sync source run by hand and by the instances' new-file polls, admin sign-ins, invitation links
 * followed, self-service password changes, diff page readers on a PLANNED batch, and LDAP binds and searches on
 * both instances' listeners. Then it checks what must hold (every applied batch APPLIED once, every mail received
 * exactly once, the audit chain verifying on both, no request error but the expected refusals), prints p50/p95/p99
 * per kind of operation with the machine's quiet/noisy reading, and exits 1 when a check fails.
 * Run by bench/soak, which compiles it with Bench.java (whose static helpers and machine watch it uses).
 */
public class Soak {

    static final String ADMIN = Bench.ADMIN;
    static final String PASSWORD = Bench.PASSWORD;
    static final String BASE_DN = "dc=roster,dc=local";
    static final String DOMAIN = "soak.example.org";

    final boolean smoke = Boolean.getBoolean("soak.smoke");
    final double minutes = Double.parseDouble(System.getProperty("soak.minutes", smoke ? "1" : "10"));
    final Path root = Path.of(System.getProperty("soak.root", ".")).toAbsolutePath();
    final Path out = Path.of(System.getProperty("soak.out", "bench/out")).toAbsolutePath();
    final Path drop = out.resolve("soak-drop");
    final String db = System.getProperty("soak.db", "roster_soak");
    final String heap = System.getProperty("soak.xmx", "512m");
    /** Pacing: each worker's period is multiplied by this (the smoke runs a lighter load). */
    final double slow = smoke ? 2.0 : 1.0;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final Bench.MachineWatch watch = new Bench.MachineWatch(List.of(db));
    final List<Node> nodes = new ArrayList<>();
    final Stats stats = new Stats();
    final MailSink sink;
    long deadline;

    // What the workers share.
    final List<String> onboarded = new CopyOnWriteArrayList<>();
    final Set<String> appliedBatches = ConcurrentHashMap.newKeySet();
    final List<String> scimIds = new CopyOnWriteArrayList<>();
    final List<String> scimNames = new CopyOnWriteArrayList<>();
    /** Users with a password Roster knows (set through their invitation link), free for a bind or a change. */
    final LinkedBlockingQueue<Account> accounts = new LinkedBlockingQueue<>();
    final AtomicInteger activated = new AtomicInteger();
    final Set<String> resetOnce = ConcurrentHashMap.newKeySet();
    volatile Account victim;
    String plannedForReaders;
    long plannedRows;
    String scimToken;
    String serviceDn;
    String serviceSecret;
    String sourceId;

    record Account(String email, String password) {
    }

    Soak() throws IOException {
        sink = new MailSink();
    }

    public static void main(String[] args) throws Exception {
        Soak soak = new Soak();
        Runtime.getRuntime().addShutdownHook(new Thread(soak::stopAll));
        int code;
        try {
            code = soak.run();
        } finally {
            soak.stopAll();
        }
        System.exit(code);
    }

    int run() throws Exception {
        Files.createDirectories(drop);
        try (var old = Files.list(drop)) {
            for (Path p : (Iterable<Path>) old::iterator) {
                Files.delete(p);
            }
        }
        String loadAtStart = Bench.loadAverage();
        Thread watcher = new Thread(watch, "machine-watch");
        watcher.setDaemon(true);
        watcher.start();
        log("mode " + (smoke ? "smoke" : "full") + ", " + minutes + " min, two instances -Xmx" + heap + ", database " + db);
        psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
        watch.phase("setup");
        // One after the other: the first migrates the empty database and makes the bootstrap admin.
        nodes.add(startNode("a"));
        nodes.add(startNode("b"));
        setUp();

        watch.phase("soak");
        log("load for " + minutes + " min (load " + Bench.loadAverage() + ")");
        long started = System.nanoTime();
        deadline = started + (long) (minutes * 60e9);
        List<Thread> workers = new ArrayList<>();
        workers.add(worker("batches", 4000, this::batchCycle));
        workers.add(worker("diff reader 1", 150, i -> diffRead()));
        workers.add(worker("diff reader 2", 150, i -> diffRead()));
        workers.add(worker("scim writes", 500, this::scimWrite));
        workers.add(worker("scim reads", 200, i -> scimRead()));
        workers.add(worker("sync", smoke ? 20_000 : 40_000, this::syncRun));
        workers.add(worker("admin sign-ins", 3000, i -> adminSignIn(i)));
        workers.add(worker("invitations", 700, i -> followInvitation()));
        workers.add(worker("password changes", 5000, i -> changePassword(i)));
        workers.add(worker("password resets", 6000, i -> forgotAndReset(i)));
        workers.add(worker("ldap binds", 300, this::ldapBind));
        workers.add(worker("ldap searches", 150, this::ldapSearch));
        for (Thread t : workers) {
            t.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        watch.phase("checks");
        log("load done after " + String.format(Locale.ROOT, "%.0f", seconds) + " s; checking");
        List<String[]> checks = checks();
        boolean failed = checks.stream().anyMatch(c -> c[1].startsWith("FAIL"));
        printTable(seconds, checks, loadAtStart);
        return failed ? 1 : 0;
    }

    // ---------------------------------------------------------------- instances

    /** One Roster instance: its ports, process and the bootstrap admin's session on it. */
    final class Node {
        final String name;
        final int port;
        final int managementPort;
        final int ldapPort;
        Process process;
        Client admin;

        Node(String name) throws IOException {
            this.name = name;
            port = Bench.freePort();
            managementPort = Bench.freePort();
            ldapPort = Bench.freePort();
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        String ldapUrl() {
            return "ldap://127.0.0.1:" + ldapPort;
        }
    }

    Node startNode(String name) throws Exception {
        Node n = new Node(name);
        List<String> cmd = new ArrayList<>(List.of("java", "-Xmx" + heap, "-XX:+UseG1GC",
                "-Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:5432/" + db,
                "-Dquarkus.datasource.username=roster_app", "-Dquarkus.datasource.password=roster_app",
                "-Dquarkus.flyway.username=roster", "-Dquarkus.flyway.password=roster",
                // One checkpoint key and one link key: both instances sign and read the same trail and outbox.
                "-Droster.audit.checkpoint-key=YmVuY2gtY2hlY2twb2ludC1rZXktMzItYnl0ZXMtbG9uZy4=",
                "-Droster.mail.token-key=YmVuY2gtb25seS1tYWlsLXRva2VuLWtleS0zMmJ5dGU=",
                "-Droster.database.allow-default-password=true", "-Droster.admin.password=" + PASSWORD, "-Droster.demo-data=false",
                "-Dquarkus.http.port=" + n.port, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.management.port=" + n.managementPort, "-Dquarkus.management.host=127.0.0.1",
                // Both instances send, as in production: the outbox's claims must keep every mail to one delivery.
                "-Droster.mail.sender.enabled=true", "-Droster.mail.max-per-second=200",
                "-Dquarkus.mailer.mock=false", "-Dquarkus.mailer.host=127.0.0.1", "-Dquarkus.mailer.port=" + sink.port,
                "-Dquarkus.mailer.start-tls=DISABLED",
                // Every client of the soak comes from 127.0.0.1: one IP for all, as behind a relying party.
                "-Droster.sign-in.free-attempts-per-ip=100000", "-Droster.reset.forgot-per-ip=100000",
                "-Droster.ldap.trusted-clients=127.0.0.1/32",
                "-Droster.ldap.enabled=true", "-Droster.ldap.port=" + n.ldapPort, "-Droster.ldap.ldaps-port=0",
                "-Droster.sync.directory-root=" + out, "-Droster.sync.settle=1s", "-Droster.sync.poll-interval=15s",
                "-Djava.io.tmpdir=" + out,
                "-jar", root.resolve("target/quarkus-app/quarkus-run.jar").toString()));
        Path logFile = out.resolve("soak-" + name + ".log");
        Files.deleteIfExists(logFile);
        n.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        long until = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < until) {
            if (!n.process.isAlive()) {
                throw new IllegalStateException("Roster " + name + " stopped at start; see " + logFile);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.managementPort
                        + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    n.admin = signIn(n);
                    log("Roster " + name + " up: http " + n.port + ", ldap " + n.ldapPort + " (pid " + n.process.pid() + ")");
                    return n;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Roster " + name + " did not become ready; see " + logFile);
    }

    void stopAll() {
        for (Node n : nodes) {
            if (n.process != null && n.process.isAlive()) {
                n.process.destroy();
                try {
                    if (!n.process.waitFor(40, TimeUnit.SECONDS)) {
                        n.process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    n.process.destroyForcibly();
                }
            }
        }
        try {
            sink.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    Node node(long i) {
        return nodes.get((int) (i % nodes.size()));
    }

    Node anyNode() {
        return nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
    }

    // ---------------------------------------------------------------- setup

    /** A SCIM token, an LDAP service account, a sync source, the first onboarding and the PLANNED batch the readers read. */
    void setUp() throws Exception {
        Node a = nodes.get(0);
        HttpResponse<String> token = adminJson(a, "POST", "/api/tokens", "{\"name\": \"soak\", \"scope\": \"read-write\"}");
        require(token, 201, "API token");
        scimToken = Bench.field(token.body(), "token");
        HttpResponse<String> account = adminJson(a, "POST", "/api/ldap/service-accounts",
                "{\"name\": \"soak\", \"right\": \"read-only\"}");
        require(account, 201, "LDAP service account");
        serviceDn = Bench.field(account.body(), "dn");
        serviceSecret = Bench.field(account.body(), "secret");
        HttpResponse<String> source = adminJson(nodes.get(1), "POST", "/api/sources", "{\"name\": \"soak HR drop\", \"kind\": "
                + "\"directory\", \"location\": " + Bench.js(drop.toString()) + ", \"onNewFile\": true, \"matchBy\": \"email\", "
                + "\"scope\": \"attr.src=soak\", \"absent\": \"leave\", \"autoApply\": true, \"limits\": {\"create\": 100000, "
                + "\"update\": 100000, \"suspend\": 0, \"delete\": 0}}");
        require(source, 201, "sync source");
        sourceId = Bench.field(source.body(), "id");

        // The first users (with invitations), then a larger update planned and left PLANNED for the diff readers.
        int first = smoke ? 100 : 400;
        StringBuilder csv = new StringBuilder("email,given_name,family_name,department,title,send_invite\n");
        for (int i = 0; i < first; i++) {
            csv.append(person("seed-" + i)).append(",Sales,Engineer,true\n");
            onboarded.add("seed-" + i + "@" + DOMAIN);
        }
        String id = uploadAndPlan(a, csv.toString(), "onboard", "setup: upload+plan, apply");
        applyAndAwait(a, id, "setup: upload+plan, apply");
        StringBuilder update = new StringBuilder("email,department,title\n");
        for (int i = 0; i < first; i++) {
            update.append("seed-").append(i).append('@').append(DOMAIN).append(",Research,Analyst ").append(i % 7).append('\n');
        }
        plannedForReaders = uploadAndPlan(nodes.get(1), update.toString(), "update", "setup: upload+plan, apply");
        plannedRows = first;
        log("setup: token, service account " + serviceDn + ", source " + sourceId + ", " + first + " users, PLANNED batch "
                + plannedForReaders);
    }

    static String person(String local) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return local + "@" + DOMAIN + "," + Bench.csv(Bench.GIVEN[r.nextInt(Bench.GIVEN.length)]) + ","
                + Bench.csv(Bench.FAMILY[r.nextInt(Bench.FAMILY.length)]);
    }

    // ---------------------------------------------------------------- workers

    interface Step {
        void run(long iteration) throws Exception;
    }

    /**
     * A worker runs its step once per period (with jitter) until the deadline, at most minutes / period times: the load
     * is bounded in time and count, not by how fast the instances answer. An exception is an unexpected error of the
     * worker's kind.
     */
    Thread worker(String name, long periodMs, Step step) {
        long period = (long) (periodMs * slow);
        long maxSteps = (long) Math.ceil(minutes * 60_000 / period);
        Thread t = new Thread(() -> {
            long i = 0;
            while (System.nanoTime() < deadline && i < maxSteps) {
                long t0 = System.nanoTime();
                try {
                    step.run(i++);
                } catch (Handled recorded) {
                    // the step recorded its failure
                } catch (Exception e) {
                    stats.error(name, e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                long rest = period - (System.nanoTime() - t0) / 1_000_000;
                long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, period / 5));
                sleep(Math.max(0, Math.min(rest + jitter, (deadline - System.nanoTime()) / 1_000_000)));
            }
        }, name);
        t.start();
        return t;
    }

    /** Onboard new users with invitations, update known ones, or apply one batch from both instances at once. */
    void batchCycle(long i) throws Exception {
        Node up = node(i);
        Node other = node(i + 1);
        int pick = (int) (i % 3);
        if (pick == 0 || onboarded.size() < 50) {
            int k = smoke ? 10 : 25;
            StringBuilder csv = new StringBuilder("email,given_name,family_name,department,title,send_invite\n");
            List<String> emails = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                String local = "b" + i + "-" + j;
                csv.append(person(local)).append(",Support,Assistant,true\n");
                emails.add(local + "@" + DOMAIN);
            }
            String id = uploadAndPlan(up, csv.toString(), "onboard", "batch upload+plan");
            if (applyAndAwait(other, id, "batch apply")) {
                onboarded.addAll(emails);
            }
        } else if (pick == 1) {
            StringBuilder csv = new StringBuilder("email,department,title\n");
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int j = 0; j < 50; j++) {
                csv.append(onboarded.get(r.nextInt(onboarded.size()))).append(',')
                        .append(Bench.DEPARTMENTS[r.nextInt(Bench.DEPARTMENTS.length)]).append(",Title ").append(i).append('\n');
            }
            String id = uploadAndPlan(up, csv.toString(), "update", "batch upload+plan");
            applyAndAwait(other, id, "batch apply");
        } else {
            StringBuilder csv = new StringBuilder("email,title\n");
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int j = 0; j < 20; j++) {
                csv.append(onboarded.get(r.nextInt(onboarded.size()))).append(",Both ").append(i).append('\n');
            }
            String id = uploadAndPlan(up, csv.toString(), "update", "batch upload+plan");
            applyFromBoth(id);
        }
    }

    String uploadAndPlan(Node n, String csv, String operation, String kind) throws Exception {
        String boundary = "soak" + System.nanoTime();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"operation\"\r\n\r\n" + operation + "\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"soak.csv\"\r\nContent-Type: text/csv"
                + "\r\n\r\n" + csv + "\r\n--" + boundary + "--\r\n";
        long t0 = System.nanoTime();
        HttpResponse<String> res = send(n.admin.request(n, "/api/batches", true)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (res.statusCode() != 202) {
            stats.error(kind, "upload answered " + res.statusCode() + ": " + clip(res.body()));
            throw new Handled();
        }
        String id = Bench.field(res.body(), "id");
        String batch = awaitBatch(node(t0 + 1), id, "PLANNING");
        if (!"PLANNED".equals(Bench.field(batch, "status"))) {
            stats.error(kind, "batch " + id + " planned to " + clip(batch));
            throw new Handled();
        }
        stats.ok(kind, System.nanoTime() - t0);
        return id;
    }

    static long changes(String batch) {
        return Bench.number(batch, "create") + Bench.number(batch, "update") + Bench.number(batch, "delete")
                + Bench.number(batch, "reset");
    }

    HttpRequest applyRequest(Node n, String id) throws Exception {
        String batch = send(n.admin.request(n, "/api/batches/" + id, false).build()).body();
        return n.admin.request(n, "/api/batches/" + id + "/apply", true).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"confirm\":" + changes(batch) + ",\"skipErrors\":true}")).build();
    }

    /** Applies and waits until the batch is no longer APPLYING; a stale plan's 409 is an expected refusal (false). */
    boolean applyAndAwait(Node n, String id, String kind) throws Exception {
        HttpRequest req = applyRequest(n, id);
        long t0 = System.nanoTime();
        HttpResponse<String> res = send(req);
        if (res.statusCode() == 409) {
            stats.expected(kind, "409 stale plan or concurrent apply", System.nanoTime() - t0);
            return false;
        }
        if (res.statusCode() != 202) {
            stats.error(kind, "apply of " + id + " answered " + res.statusCode() + ": " + clip(res.body()));
            return false;
        }
        appliedBatches.add(id);
        String batch = awaitBatch(node(t0), id, "APPLYING");
        if (!"APPLIED".equals(Bench.field(batch, "status"))) {
            stats.error(kind, "apply of " + id + " ended " + clip(batch));
            return false;
        }
        stats.ok(kind, System.nanoTime() - t0);
        return true;
    }

    /** The same batch applied from both instances at the same moment: one 202 and one 409, applied once. */
    void applyFromBoth(String id) throws Exception {
        HttpRequest one = applyRequest(nodes.get(0), id);
        HttpRequest two = applyRequest(nodes.get(1), id);
        CyclicBarrier barrier = new CyclicBarrier(2);
        int[] codes = new int[2];
        long[] nanos = new long[2];
        Thread[] threads = new Thread[2];
        for (int k = 0; k < 2; k++) {
            int slot = k;
            HttpRequest req = k == 0 ? one : two;
            threads[k] = new Thread(() -> {
                try {
                    barrier.await();
                    long t0 = System.nanoTime();
                    codes[slot] = send(req).statusCode();
                    nanos[slot] = System.nanoTime() - t0;
                } catch (Exception e) {
                    codes[slot] = -1;
                }
            });
            threads[k].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        List<Integer> sorted = java.util.Arrays.stream(codes).sorted().boxed().toList();
        if (sorted.equals(List.of(409, 409))) {
            // Both refused: the plan went stale (a SCIM write or another apply touched its users) before either applied.
            stats.expected("batch apply from both at once", "409 stale plan or concurrent apply", nanos[0]);
            stats.expected("batch apply from both at once", "409 stale plan or concurrent apply", nanos[1]);
            return;
        }
        if (!sorted.equals(List.of(202, 409))) {
            stats.error("batch apply from both at once", "batch " + id + " answered " + sorted + " (one 202 and one 409 expected)");
            return;
        }
        appliedBatches.add(id);
        int winner = codes[0] == 202 ? 0 : 1;
        stats.expected("batch apply from both at once", "409 stale plan or concurrent apply", nanos[1 - winner]);
        long t0 = System.nanoTime() - nanos[winner];
        String batch = awaitBatch(nodes.get(1 - winner), id, "APPLYING");
        if (!"APPLIED".equals(Bench.field(batch, "status"))) {
            stats.error("batch apply from both at once", "apply of " + id + " ended " + clip(batch));
            return;
        }
        stats.ok("batch apply from both at once", System.nanoTime() - t0);
    }

    String awaitBatch(Node n, String id, String whileStatus) throws Exception {
        long until = System.currentTimeMillis() + 300_000;
        while (System.currentTimeMillis() < until) {
            HttpResponse<String> res = send(n.admin.request(n, "/api/batches/" + id, false).build());
            if (res.statusCode() == 200 && !whileStatus.equals(Bench.field(res.body(), "status"))) {
                return res.body();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("batch " + id + " still " + whileStatus + " after 5 minutes");
    }

    /** The diff page's htmx fragment of the PLANNED batch: first pages of the tabs, any page, a key search. */
    void diffRead() throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String[] tabs = { "all", "update", "unchanged", "error" };
        int pick = r.nextInt(10);
        String path = pick < 5 ? "/batches/" + plannedForReaders + "?kind=" + tabs[r.nextInt(tabs.length)] + "&page=1"
                : pick < 9 ? "/batches/" + plannedForReaders + "?kind=all&page=" + (1 + r.nextLong(Math.max(1, plannedRows / 50)))
                        : "/batches/" + plannedForReaders + "?kind=all&q=seed-" + r.nextInt(100) + "&page=1";
        Node n = anyNode();
        timed("diff page (htmx fragment)", n.admin.request(n, path, false).header("HX-Request", "true").build(), 200);
    }

    /** SCIM: a user created, or one of them changed (PATCH replace title). */
    void scimWrite(long i) throws Exception {
        Node n = node(i);
        if (i % 2 == 0 || scimIds.isEmpty()) {
            String name = "scim-" + i + "@" + DOMAIN;
            String body = "{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:User\"], \"userName\": \"" + name
                    + "\", \"emails\": [{\"value\": \"" + name + "\", \"primary\": true}], \"name\": {\"givenName\": \"Scim\", "
                    + "\"familyName\": \"User " + i + "\"}, \"title\": \"Clerk\"}";
            HttpResponse<String> res = timed("scim POST /Users", scim(n, "/scim/v2/Users").header("Content-Type",
                    "application/scim+json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), 201);
            if (res != null && res.statusCode() == 201) {
                scimIds.add(Bench.field(res.body(), "id"));
                scimNames.add(name);
            }
        } else {
            String id = scimIds.get(ThreadLocalRandom.current().nextInt(scimIds.size()));
            String body = "{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"], \"Operations\": [{\"op\": \"replace\", "
                    + "\"path\": \"title\", \"value\": \"Clerk " + i + "\"}]}";
            timed("scim PATCH /Users/{id}", scim(n, "/scim/v2/Users/" + id).header("Content-Type", "application/scim+json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(), 200);
        }
    }

    void scimRead() throws Exception {
        Node n = anyNode();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (scimIds.isEmpty() || r.nextBoolean()) {
            String mail = onboarded.get(r.nextInt(onboarded.size()));
            String filter = URLEncoder.encode("userName eq \"" + mail + "\"", StandardCharsets.UTF_8).replace("+", "%20");
            timed("scim GET /Users?filter", scim(n, "/scim/v2/Users?filter=" + filter).GET().build(), 200);
        } else {
            timed("scim GET /Users/{id}", scim(n, "/scim/v2/Users/" + scimIds.get(r.nextInt(scimIds.size()))).GET().build(), 200);
        }
    }

    HttpRequest.Builder scim(Node n, String path) {
        return HttpRequest.newBuilder(n.uri(path)).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + scimToken);
    }

    /**
     * A new HR export in the drop folder (every sync user, a tenth with a new title, three new users with invitations),
     * then Run now on one instance; the instances' new-file polls may take the file first (then the run is SKIPPED,
     * or refused with 409 while theirs runs).
     */
    void syncRun(long i) throws Exception {
        int users = (smoke ? 30 : 100) + 3 * (int) i;
        StringBuilder csv = new StringBuilder("email,given_name,family_name,title,attr.src,send_invite\n");
        for (int j = 0; j < users; j++) {
            csv.append("sync-").append(j).append('@').append(DOMAIN).append(",Sync,User ").append(j).append(",")
                    .append(j % 10 == i % 10 ? "Title " + i : "Staff").append(",soak,true\n");
        }
        Path tmp = drop.resolve("export-" + i + ".csv.tmp");
        Files.writeString(tmp, csv);
        Files.move(tmp, drop.resolve(String.format(Locale.ROOT, "export-%05d.csv", i)), StandardCopyOption.ATOMIC_MOVE);
        sleep(2500); // older than roster.sync.settle
        Node n = node(i);
        long t0 = System.nanoTime();
        HttpResponse<String> res = send(n.admin.request(n, "/api/sources/" + sourceId + "/run?wait=true", true)
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(5)).build());
        long took = System.nanoTime() - t0;
        if (res.statusCode() == 409) {
            stats.expected("sync run now (wait)", "409 source already running", took);
            return;
        }
        String status = Bench.field(res.body(), "status");
        if (res.statusCode() != 200 || !Set.of("APPLIED", "NO_CHANGES", "SKIPPED").contains(status)) {
            stats.error("sync run now (wait)", "run answered " + res.statusCode() + ": " + clip(res.body()));
            return;
        }
        stats.ok("sync run now (wait)", took);
    }

    /** The bootstrap admin signs in through the form (an Argon2id check), alternating instances. */
    void adminSignIn(long i) throws Exception {
        Node n = node(i);
        long t0 = System.nanoTime();
        signIn(n);
        stats.ok("admin sign-in (/login)", System.nanoTime() - t0);
    }

    /** A received invitation followed: its page opened, a password chosen; the user can then bind over LDAP. */
    void followInvitation() throws Exception {
        MailSink.Mail mail = sink.invitations.poll();
        if (mail == null) {
            return;
        }
        String password = "Soak-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-pw";
        if (!setPassword(anyNode(), "/invite/" + mail.token(), password, "invitation: set password", mail.recipient())) {
            return;
        }
        Account a = new Account(mail.recipient(), password);
        if (activated.incrementAndGet() == 5) {
            victim = a; // the one user the deliberate wrong passwords go to: it gets locked, which is expected
        } else {
            accounts.add(a);
        }
    }

    /** A user changes their password on the self-service page (and gets the "password changed" mail). */
    void changePassword(long i) throws Exception {
        Account a = accounts.poll();
        if (a == null) {
            return;
        }
        Account now = a;
        try {
            Node n = node(i);
            Client c = new Client();
            long t0 = System.nanoTime();
            HttpResponse<String> page = send(c.request(n, "/password/change", false).build());
            c.remember(page);
            String next = "Soak-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-new";
            String form = "name=" + enc(a.email()) + "&current=" + enc(a.password()) + "&password=" + enc(next) + "&confirm="
                    + enc(next) + "&csrf-token=" + enc(formToken(page.body()));
            HttpResponse<String> res = send(c.request(n, "/password/change", false)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build());
            long took = System.nanoTime() - t0;
            if (res.statusCode() == 200) {
                now = new Account(a.email(), next);
                stats.ok("self-service password change", took);
            } else if (res.statusCode() == 429) {
                stats.expected("self-service password change", "429 throttled", took);
            } else {
                stats.error("self-service password change", a.email() + " answered " + res.statusCode());
            }
        } finally {
            accounts.add(now);
        }
    }

    /**
     * A user asks for a reset on the "Forgot your password?" page, and follows the link the reset mail brings within
     * 30 s; the user is out of the pool meanwhile, so no bind tries a password that is being replaced.
     */
    void forgotAndReset(long i) throws Exception {
        Account a = accounts.poll();
        if (a == null) {
            return;
        }
        Account now = a;
        try {
            if (!resetOnce.add(a.email())) {
                return; // once per user: a second request within the hour may be dropped silently (forgot-per-account)
            }
            Node n = node(i);
            Client c = new Client();
            long t0 = System.nanoTime();
            HttpResponse<String> page = send(c.request(n, "/forgot", false).build());
            c.remember(page);
            HttpResponse<String> res = send(c.request(n, "/forgot", false).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("name=" + enc(a.email()) + "&csrf-token=" + enc(formToken(page.body()))))
                    .build());
            if (res.statusCode() == 429) {
                stats.expected("forgot password (request)", "429 throttled", System.nanoTime() - t0);
                return;
            }
            if (res.statusCode() != 200) {
                stats.error("forgot password (request)", a.email() + " answered " + res.statusCode());
                return;
            }
            stats.ok("forgot password (request)", System.nanoTime() - t0);
            MailSink.Mail mail = sink.awaitReset(a.email(), 30);
            if (mail == null) {
                stats.error("reset link: set password", "no reset mail for " + a.email() + " within 30 s");
                return;
            }
            String next = "Soak-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-rst";
            if (setPassword(anyNode(), "/reset/" + mail.token(), next, "reset link: set password", a.email())) {
                now = new Account(a.email(), next);
            }
        } finally {
            accounts.add(now);
        }
    }

    /** A link's page opened and a password chosen on it, as a browser does; recorded under kind. */
    boolean setPassword(Node n, String path, String password, String kind, String who) throws Exception {
        Client c = new Client();
        long t0 = System.nanoTime();
        HttpResponse<String> page = send(c.request(n, path, false).build());
        c.remember(page);
        if (page.statusCode() != 200) {
            stats.error(kind, "link page of " + who + " answered " + page.statusCode());
            return false;
        }
        String form = "password=" + enc(password) + "&confirm=" + enc(password) + "&csrf-token=" + enc(formToken(page.body()));
        HttpResponse<String> res = send(c.request(n, path, false).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (res.statusCode() != 200) {
            stats.error(kind, who + " answered " + res.statusCode() + ": " + clip(res.body()));
            return false;
        }
        stats.ok(kind, System.nanoTime() - t0);
        return true;
    }

    /** A user binds with their password; every fifth bind is a deliberate wrong one (an unknown user, or the victim). */
    void ldapBind(long i) throws Exception {
        Node n = node(i);
        if (i % 5 == 4) {
            Account v = victim;
            String dn = v != null && i % 10 == 9 ? userDn(v.email()) : userDn("nobody-" + i + "@" + DOMAIN);
            long t0 = System.nanoTime();
            try {
                bind(n, dn, "Wrong-password-" + i).close();
                stats.error("ldap bind (wrong password)", "a wrong password bound as " + dn);
            } catch (AuthenticationException e) {
                stats.expected("ldap bind (wrong password)", "LDAP 49 invalidCredentials (deliberate)", System.nanoTime() - t0);
            }
            return;
        }
        Account a = accounts.poll();
        if (a == null) {
            return;
        }
        try {
            long t0 = System.nanoTime();
            try {
                bind(n, userDn(a.email()), a.password()).close();
                stats.ok("ldap bind (user)", System.nanoTime() - t0);
            } catch (NamingException e) {
                ldapFailure("ldap bind (user)", e, System.nanoTime() - t0, a.email());
            }
        } finally {
            accounts.add(a);
        }
    }

    final Map<Node, LdapContext> searchContexts = new HashMap<>();

    /** The service account's searches, on one connection per instance: by uid, by mail, a paged read of everyone. */
    void ldapSearch(long i) throws Exception {
        Node n = node(i);
        LdapContext ctx = searchContexts.get(n);
        if (ctx == null) {
            long t0 = System.nanoTime();
            ctx = bind(n, serviceDn, serviceSecret);
            stats.ok("ldap bind (service account)", System.nanoTime() - t0);
            searchContexts.put(n, ctx);
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String mail = onboarded.get(r.nextInt(onboarded.size()));
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setReturningAttributes(new String[] { "uid", "mail", "cn", "memberOf", "entryUUID" });
        int pick = (int) (i % 4);
        String kind = pick == 3 ? "ldap search (paged, 100 of everyone)" : "ldap search (uid or mail)";
        String filter = pick == 3 ? "(objectClass=person)" : pick == 1 ? "(mail=" + mail + ")"
                : "(&(objectClass=person)(|(uid=" + mail + ")(mail=" + mail + ")))";
        long t0 = System.nanoTime();
        try {
            ctx.setRequestControls(pick == 3 ? new Control[] { new PagedResultsControl(100, Control.CRITICAL) } : null);
            NamingEnumeration<SearchResult> results = ctx.search("ou=people," + BASE_DN, filter, controls);
            int found = 0;
            while (results.hasMore()) {
                results.next();
                found++;
            }
            if (found == 0) {
                // Every searched user exists (onboarded by an applied batch): none found is a wrong answer.
                stats.error(kind, "no entry for " + filter + " on " + n.name);
                return;
            }
            stats.ok(kind, System.nanoTime() - t0);
        } catch (NamingException e) {
            searchContexts.remove(n);
            try {
                ctx.close();
            } catch (NamingException ignored) {
                // gone anyway
            }
            ldapFailure(kind, e, System.nanoTime() - t0, filter);
        }
    }

    static String userDn(String uid) {
        return "uid=" + uid + ",ou=people," + BASE_DN;
    }

    LdapContext bind(Node n, String dn, String password) throws NamingException {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, n.ldapUrl());
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, dn);
        env.put(Context.SECURITY_CREDENTIALS, password);
        env.put("com.sun.jndi.ldap.connect.timeout", "5000");
        env.put("com.sun.jndi.ldap.read.timeout", "60000");
        return new InitialLdapContext(env, null);
    }

    /** LDAP busy (51) is load shed, an expected refusal; anything else is an error. */
    void ldapFailure(String kind, NamingException e, long nanos, String what) {
        String text = String.valueOf(e.getMessage());
        if (text.contains("error code 51")) {
            stats.expected(kind, "LDAP 51 busy", nanos);
        } else {
            stats.error(kind, what + " on LDAP: " + text);
        }
    }

    // ---------------------------------------------------------------- checks

    List<String[]> checks() throws Exception {
        List<String[]> checks = new ArrayList<>();
        // Nothing left half-done: no batch planning or applying once the instances settle.
        long until = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < until && (count("SELECT count(*) FROM batch WHERE status IN ('PLANNING', 'APPLYING')") > 0
                || count("SELECT count(*) FROM mail_outbox WHERE status IN ('PENDING', 'SENDING')") > 0)) {
            Thread.sleep(500);
        }
        Thread.sleep(2000); // the sink finishes what it was receiving
        String statuses = psql("SELECT string_agg(status || ' ' || n, ', ' ORDER BY status) FROM (SELECT status, count(*) n FROM batch "
                + "GROUP BY status) s").strip();
        long unsettled = count("SELECT count(*) FROM batch WHERE status IN ('PLANNING', 'APPLYING', 'FAILED')");
        long notApplied = 0;
        for (String id : appliedBatches) {
            if (!"APPLIED".equals(psql("SELECT status FROM batch WHERE id = '" + id + "'").strip())) {
                notApplied++;
            }
        }
        long twice = count("SELECT count(*) FROM (SELECT batch_id FROM audit_event WHERE action = 'batch.applied' "
                + "GROUP BY batch_id HAVING count(*) > 1) t");
        long applied = count("SELECT count(*) FROM batch WHERE status = 'APPLIED'");
        long appliedEvents = count("SELECT count(*) FROM audit_event WHERE action = 'batch.applied'");
        checks.add(check("every applied batch APPLIED, once", unsettled == 0 && notApplied == 0 && twice == 0 && applied == appliedEvents,
                String.format(Locale.ROOT, "%d batches answered 202 to the soak's applies, %d of them not APPLIED; batches: %s; "
                        + "%d APPLIED, %d batch.applied events, %d batches applied twice", appliedBatches.size(), notApplied, statuses,
                        applied, appliedEvents, twice)));

        String runs = psql("SELECT coalesce(string_agg(status || ' ' || n, ', ' ORDER BY status), 'none') FROM (SELECT status, count(*) n "
                + "FROM sync_run GROUP BY status) s").strip();
        long badRuns = count("SELECT count(*) FROM sync_run WHERE status NOT IN ('APPLIED', 'NO_CHANGES', 'SKIPPED')");
        long syncApplied = count("SELECT count(*) FROM sync_run WHERE status = 'APPLIED'");
        checks.add(check("sync runs applied, none failed or held", badRuns == 0 && syncApplied > 0, "runs: " + runs));

        checks.add(mailCheck());

        for (Node n : nodes) {
            HttpResponse<String> v = send(n.admin.request(n, "/api/audit/verify?full=true", false).timeout(Duration.ofMinutes(5)).build());
            boolean ok = v.statusCode() == 200 && v.body().contains("\"ok\":true");
            checks.add(check("audit chain verifies on " + n.name + " (full walk)", ok, v.statusCode() + " "
                    + clip(v.body().replaceAll("\"lastHash\":\"[0-9a-f]+\"", "\"lastHash\":…"))));
        }
        long checkpoints = count("SELECT count(*) FROM audit_checkpoint");
        HttpResponse<String> fromCheckpoint = send(nodes.get(1).admin.request(nodes.get(1), "/api/audit/verify", false).build());
        checks.add(check("audit chain verifies from the latest signed checkpoint", fromCheckpoint.statusCode() == 200
                && fromCheckpoint.body().contains("\"ok\":true"), checkpoints + " checkpoints; " + clip(fromCheckpoint.body()
                        .replaceAll("\"lastHash\":\"[0-9a-f]+\"", "\"lastHash\":…"))));

        checks.add(logCheck());

        long errors = stats.errorCount();
        checks.add(check("no request error but the expected refusals", errors == 0, errors == 0
                ? "expected refusals: " + stats.expectedSummary()
                : errors + " errors, e.g. " + String.join(" | ", stats.errorSamples(8))));
        boolean allKinds = stats.kinds().containsAll(List.of("batch apply", "scim POST /Users", "scim GET /Users?filter",
                "sync run now (wait)", "admin sign-in (/login)", "invitation: set password", "reset link: set password", "ldap bind (user)",
                "ldap search (uid or mail)", "diff page (htmx fragment)"));
        checks.add(check("every kind of load ran", allKinds, String.join(", ", stats.kinds())));
        return checks;
    }

    /**
     * Every outbox row SENT is received exactly once: a link mail by its recipient and its token (the SHA-256 the
     * token table keeps), a mail without a link by recipient and count; nothing received that the outbox did not send.
     */
    String[] mailCheck() throws Exception {
        Map<String, Long> byStatus = new TreeMap<>();
        Map<String, String> linkRows = new HashMap<>(); // token hash -> recipient, of SENT rows
        Map<String, Integer> plainRows = new HashMap<>(); // recipient -> SENT rows without a link
        long sentRows = 0;
        for (String line : psql("SELECT o.status, o.kind, lower(o.recipient), coalesce(t.token_hash, '') FROM mail_outbox o "
                + "LEFT JOIN password_token t ON t.id = o.token_id").split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\\|", -1);
            byStatus.merge(f[0], 1L, Long::sum);
            if (!f[0].equals("SENT")) {
                continue;
            }
            sentRows++;
            if (f[1].equals("INVITE") || f[1].equals("RESET")) {
                linkRows.put(f[3], f[2]);
            } else {
                plainRows.merge(f[2], 1, Integer::sum);
            }
        }
        Map<String, Integer> receivedLinks = new HashMap<>();
        Map<String, Integer> receivedPlain = new HashMap<>();
        List<String> problems = new ArrayList<>();
        List<MailSink.Mail> received = List.copyOf(sink.received);
        for (MailSink.Mail m : received) {
            if (m.token() != null) {
                String hash = sha256(m.token());
                receivedLinks.merge(hash, 1, Integer::sum);
                String to = linkRows.get(hash);
                if (to == null) {
                    problems.add("a link to " + m.recipient() + " no SENT outbox row has");
                } else if (!to.equalsIgnoreCase(m.recipient())) {
                    problems.add("a link for " + to + " went to " + m.recipient());
                }
            } else {
                receivedPlain.merge(m.recipient().toLowerCase(Locale.ROOT), 1, Integer::sum);
            }
        }
        long duplicates = receivedLinks.values().stream().filter(c -> c > 1).count();
        long missing = linkRows.keySet().stream().filter(h -> !receivedLinks.containsKey(h)).count();
        long plainOff = 0;
        for (String r : union(plainRows.keySet(), receivedPlain.keySet())) {
            if (!plainRows.getOrDefault(r, 0).equals(receivedPlain.getOrDefault(r, 0))) {
                plainOff++;
            }
        }
        long unsettled = byStatus.getOrDefault("PENDING", 0L) + byStatus.getOrDefault("SENDING", 0L) + byStatus.getOrDefault("FAILED", 0L);
        boolean ok = problems.isEmpty() && duplicates == 0 && missing == 0 && plainOff == 0 && unsettled == 0
                && received.size() == sentRows && sentRows > 0;
        return check("every mail received exactly once", ok, String.format(Locale.ROOT, "outbox %s; %d SENT, %d received "
                + "(%d with a link, %d without); %d links received twice, %d never; %d recipients whose link-less mails differ%s",
                byStatus, sentRows, received.size(), receivedLinks.values().stream().mapToInt(Integer::intValue).sum(),
                receivedPlain.values().stream().mapToInt(Integer::intValue).sum(), duplicates, missing, plainOff,
                problems.isEmpty() ? "" : "; " + String.join("; ", problems.subList(0, Math.min(5, problems.size())))));
    }

    /** Neither instance logged an ERROR (a failing background job answers no request, so only its log shows it). */
    String[] logCheck() throws IOException {
        Map<String, Integer> distinct = new TreeMap<>();
        Pattern error = Pattern.compile("^\\S+ \\S+ ERROR +(\\[[^\\]]*\\]) \\([^)]*\\) (.{0,160})");
        for (Node n : nodes) {
            for (String line : Files.readAllLines(out.resolve("soak-" + n.name + ".log"), StandardCharsets.UTF_8)) {
                Matcher m = error.matcher(line);
                if (m.find()) {
                    distinct.merge(n.name + ": " + m.group(1) + " " + m.group(2), 1, Integer::sum);
                }
            }
        }
        int total = distinct.values().stream().mapToInt(Integer::intValue).sum();
        return check("no ERROR in either instance's log", total == 0, total == 0 ? "bench/out/soak-a.log, soak-b.log"
                : total + " ERROR lines, e.g. " + String.join(" / ", distinct.keySet().stream().limit(3).toList()));
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    static String[] check(String what, boolean ok, String detail) {
        return new String[] { what, ok ? "pass" : "FAIL", detail };
    }

    // ---------------------------------------------------------------- statistics

    /** Latencies and outcomes per kind of operation: ok, an expected refusal (by reason), or an error. */
    static final class Stats {
        final Map<String, ConcurrentLinkedQueue<Long>> latencies = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> okCounts = new ConcurrentHashMap<>();
        final Map<String, Map<String, AtomicLong>> expected = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();

        void ok(String kind, long nanos) {
            latencies.computeIfAbsent(kind, k -> new ConcurrentLinkedQueue<>()).add(nanos);
            okCounts.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        }

        void expected(String kind, String reason, long nanos) {
            latencies.computeIfAbsent(kind, k -> new ConcurrentLinkedQueue<>()).add(nanos);
            expected.computeIfAbsent(kind, k -> new ConcurrentHashMap<>()).computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
        }

        void error(String kind, String what) {
            errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            if (samples.size() < 200) {
                samples.add(kind + ": " + what);
            }
            log("ERROR " + kind + ": " + what);
        }

        Set<String> kinds() {
            Set<String> all = new java.util.TreeSet<>(latencies.keySet());
            all.addAll(errors.keySet());
            return all;
        }

        long errorCount() {
            return errors.values().stream().mapToLong(AtomicLong::get).sum();
        }

        List<String> errorSamples(int n) {
            return samples.stream().limit(n).toList();
        }

        String expectedSummary() {
            Map<String, Long> byReason = new TreeMap<>();
            expected.values().forEach(m -> m.forEach((r, c) -> byReason.merge(r, c.get(), Long::sum)));
            return byReason.isEmpty() ? "none" : byReason.toString();
        }

        String[] row(String kind, double seconds) {
            long[] l = latencies.getOrDefault(kind, new ConcurrentLinkedQueue<>()).stream().mapToLong(Long::longValue).sorted().toArray();
            long ok = okCounts.getOrDefault(kind, new AtomicLong()).get();
            Map<String, AtomicLong> exp = expected.getOrDefault(kind, Map.of());
            StringBuilder refusals = new StringBuilder();
            exp.forEach((r, c) -> refusals.append(refusals.length() == 0 ? "" : "; ").append(c.get()).append(" × ").append(r));
            long err = errors.getOrDefault(kind, new AtomicLong()).get();
            return new String[] { kind, String.format(Locale.ROOT, "%,d", ok), refusals.toString(), String.valueOf(err),
                    String.format(Locale.ROOT, "%.1f / %.1f / %.1f", Bench.pct(l, 50), Bench.pct(l, 95), Bench.pct(l, 99)),
                    String.format(Locale.ROOT, "%.2f", (ok + exp.values().stream().mapToLong(AtomicLong::get).sum()) / seconds) };
        }
    }

    /** Thrown after the failure was recorded, to end the worker's step. */
    static final class Handled extends Exception {
        Handled() {
            super("recorded", null, false, false);
        }
    }

    /** Sends and records: the expected status is ok, 429 an expected throttle, anything else an error. */
    HttpResponse<String> timed(String kind, HttpRequest req, int expectedStatus) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> res = send(req);
        long took = System.nanoTime() - t0;
        if (res.statusCode() == expectedStatus) {
            stats.ok(kind, took);
        } else if (res.statusCode() == 429) {
            stats.expected(kind, "429 throttled", took);
        } else {
            stats.error(kind, req.method() + " " + req.uri().getPath() + " answered " + res.statusCode() + ": " + clip(res.body()));
        }
        return res;
    }

    // ---------------------------------------------------------------- the table

    void printTable(double seconds, List<String[]> checks, String loadAtStart) throws IOException {
        Bench.MachineWatch.Summary noise = watch.summary("soak");
        long requests = 0;
        StringBuilder b = new StringBuilder();
        b.append("Roster soak, ").append(LocalDate.now()).append(", ").append(smoke ? "**smoke** (1 minute, light load)" : "full")
                .append(" run: two instances on one PostgreSQL for ").append(String.format(Locale.ROOT, "%.0f", seconds)).append(" s, ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ").append(System.getProperty("java.version"))
                .append(", load average ").append(loadAtStart).append(" at start, ").append(Bench.loadAverage()).append(" at end\n\n");
        b.append("Commit ").append(commit()).append(". Machine during the load: ").append(noise == null ? "?" : noise.toString())
                .append(".\n\n");
        b.append("| operation | ok | expected refusals | errors | p50 / p95 / p99 ms | per s |\n|---|---|---|---|---|---|\n");
        for (String kind : stats.kinds()) {
            String[] r = stats.row(kind, seconds);
            requests += Long.parseLong(r[1].replace(",", ""));
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        b.append(String.format(Locale.ROOT, "\nThroughput reached: %,d operations answered ok in %.0f s (%.1f/s); %,d mails received.%n%n",
                requests, seconds, requests / seconds, sink.received.size()));
        b.append("| check | result | detail |\n|---|---|---|\n");
        for (String[] c : checks) {
            b.append("| ").append(c[0]).append(" | ").append(c[1]).append(" | ").append(c[2].replace("|", "/")).append(" |\n");
        }
        System.out.println();
        System.out.print(b);
        Files.writeString(out.resolve(smoke ? "soak-smoke.md" : "soak.md"), b.toString());
    }

    String commit() {
        return Bench.commit(root);
    }

    // ---------------------------------------------------------------- SMTP sink that keeps what it receives

    /**
     * Accepts any SMTP conversation on a loopback port and keeps each message's recipient and link token (from
     * /invite/... or /reset/... in its decoded body); invitations are also queued for the invitation worker.
     */
    static final class MailSink extends Bench.SmtpSink {
        record Mail(String recipient, String token) {
        }

        static final Pattern LINK = Pattern.compile("/(invite|reset)/([A-Za-z0-9_-]{43})");
        final ConcurrentLinkedQueue<Mail> received = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Mail> invitations = new ConcurrentLinkedQueue<>();
        final Map<String, LinkedBlockingQueue<Mail>> resets = new ConcurrentHashMap<>();

        MailSink() throws IOException {
            super();
        }

        @Override
        boolean keepsMessages() {
            return true;
        }

        @Override
        void keep(String recipient, String raw) {
            Matcher m = LINK.matcher(decoded(raw));
            Mail mail = new Mail(recipient, m.find() ? m.group(2) : null);
            received.add(mail);
            if (mail.token() != null && m.group(1).equals("invite")) {
                invitations.add(mail);
            } else if (mail.token() != null) {
                resetsOf(recipient).add(mail);
            }
        }

        LinkedBlockingQueue<Mail> resetsOf(String recipient) {
            return resets.computeIfAbsent(recipient.toLowerCase(Locale.ROOT), r -> new LinkedBlockingQueue<>());
        }

        /** The next reset mail to this recipient, waiting up to the given seconds; null if none came. */
        Mail awaitReset(String recipient, int seconds) throws InterruptedException {
            return resetsOf(recipient).poll(seconds, TimeUnit.SECONDS);
        }

        /** The message with quoted-printable soft breaks joined and base64 parts decoded, enough to find a link. */
        static String decoded(String raw) {
            StringBuilder all = new StringBuilder(raw.replace("=\n", "").replace("=3D", "="));
            Matcher b64 = Pattern.compile("(?i)Content-Transfer-Encoding: base64\\n(?:[^\\n]+\\n)*\\n([A-Za-z0-9+/=\\n]+)").matcher(raw);
            while (b64.find()) {
                try {
                    all.append('\n').append(new String(Base64.getMimeDecoder().decode(b64.group(1)), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException ignored) {
                    // not base64 after all
                }
            }
            return all.toString();
        }
    }

    // ---------------------------------------------------------------- HTTP, sessions, database

    /** A browser's cookies and CSRF token on one instance (kept by hand: outside the local default cookies are Secure). */
    final class Client {
        final Map<String, String> cookies = new ConcurrentHashMap<>();
        volatile String csrf;

        HttpRequest.Builder request(Node n, String path, boolean stateChanging) {
            HttpRequest.Builder b = HttpRequest.newBuilder(n.uri(path)).timeout(Duration.ofSeconds(60));
            StringBuilder cookie = new StringBuilder();
            cookies.forEach((k, v) -> cookie.append(cookie.length() == 0 ? "" : "; ").append(k).append('=').append(v));
            if (cookie.length() > 0) {
                b.header("Cookie", cookie.toString());
            }
            if (stateChanging && csrf != null) {
                b.header("X-CSRF-TOKEN", csrf);
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
    }

    /** Signs the bootstrap admin in through the form, as a browser does; the session's CSRF token from a page. */
    Client signIn(Node n) throws Exception {
        Client c = new Client();
        HttpResponse<String> page = send(c.request(n, "/login", false).build());
        c.remember(page);
        String form = "email=" + enc(ADMIN) + "&password=" + enc(PASSWORD) + "&next=%2Fbatches&csrf-token=" + enc(formToken(page.body()));
        HttpResponse<String> res = send(c.request(n, "/login", false).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (res.statusCode() != 303) {
            throw new IllegalStateException("sign-in on " + n.name + " answered " + res.statusCode() + ": " + clip(res.body()));
        }
        c.remember(res);
        c.csrf = Bench.pageToken(send(c.request(n, "/batches", false).build()).body());
        return c;
    }

    HttpResponse<String> adminJson(Node n, String method, String path, String json) throws Exception {
        return send(n.admin.request(n, path, true).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> send(HttpRequest req) throws IOException, InterruptedException {
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    static void require(HttpResponse<String> res, int status, String what) {
        if (res.statusCode() != status) {
            throw new IllegalStateException(what + ": " + res.statusCode() + " " + clip(res.body()));
        }
    }

    long count(String sql) throws Exception {
        return Long.parseLong(psql(sql).strip());
    }

    String psql(String sql) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "roster", "-d", db, "-v", "ON_ERROR_STOP=1", "-qAtX",
                "-c", sql).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", "roster");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql failed: " + output);
        }
        return output;
    }

    /** The CSRF token a page's form carries (its meta tag, or the hidden field). */
    static String formToken(String html) {
        String meta = Bench.pageToken(html);
        if (!meta.isEmpty()) {
            return meta;
        }
        Matcher m = Pattern.compile("name=\"csrf-token\" value=\"([^\"]*)\"").matcher(html);
        return m.find() ? m.group(1) : "";
    }

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }

    static String clip(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void log(String s) {
        System.out.println("[soak] " + s);
        System.out.flush();
    }
}
