import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultListener;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;

/**
 * The LDAP rows of issue #25 (docs/performance.md): uid searches under 20 clients against Roster's LDAP service and an
 * OpenLDAP slapd (mdb) of its own loaded with the same users; binds per second with Argon2id against hashing alone in
 * the same run; a paged search of every user and a memberOf search of a large group within Roster's -Xmx512m.
 * Run by bench/run (--ldap, or after Bench.java): compiled together with Bench.java, whose machine watch, names and small
 * helpers it uses, with UnboundID's SDK and BouncyCastle from the packaged app on the class path; settings as system
 * properties.
 */
public class LdapBench {

    static final String BASE = "dc=roster,dc=local";
    static final String PEOPLE = "ou=people," + BASE;
    static final String SERVICE = "bench";
    static final String SERVICE_DN = "cn=" + SERVICE + ",ou=services," + BASE;
    static final String SERVICE_SECRET = "rsl_ldap-bench-secret-not-for-production-0123456789";
    static final String GROUP = "LDAP bench group";
    /** What an application such as Grafana or Authelia asks for after finding a user by uid. */
    static final String[] LOOKUP_ATTRIBUTES = { "uid", "mail", "cn", "givenName", "sn", "title", "entryUUID" };

    final boolean smoke = Boolean.getBoolean("bench.smoke");
    final Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath();
    final Path out = Path.of(System.getProperty("bench.out", "bench/out")).toAbsolutePath();
    final String db = System.getProperty("bench.db", "roster_bench");
    final String heap = System.getProperty("bench.xmx", "512m");
    final List<Integer> sizes = Bench.parseSizes(System.getProperty("bench.sizes", smoke ? "1000" : "100000,1000000")).stream()
            .sorted().toList();
    final int clients = Integer.getInteger("bench.ldap-clients", 20);
    final int readSeconds = Integer.getInteger("bench.read-seconds", smoke ? 2 : 20);
    final int warmupSeconds = Integer.getInteger("bench.warmup-seconds", smoke ? 2 : 15);
    /** Roster's roster.sign-in.max-concurrent-hashes (SignInConfig's default), passed to it so both sides know it. */
    final int hashSlots = Integer.getInteger("bench.hash-slots", 4);
    /** Directory users' binds hash in half the slots (HashingSlots.verifyOnPublicPage, decision 0036). */
    final int bindSlots = Math.max(1, hashSlots / 2);
    /** Bind clients: enough to keep the bind slots busy while staying under the per-IP free attempts (20). */
    final int bindClients = Integer.getInteger("bench.ldap-bind-clients", 4 * bindSlots);
    final int largest = sizes.get(sizes.size() - 1);
    final int groupMembers = Integer.getInteger("bench.ldap-group-members", Math.min(100_000, largest));
    final String slapdBinary = System.getProperty("bench.slapd", "/usr/sbin/slapd");
    final Path slapdDir = out.resolve("slapd");
    /** The uids seeded so far, by user number: the clients pick from them without running the generator. */
    final String[] uids = new String[largest];

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final List<String[]> rows = new ArrayList<>();
    final List<Process> processes = new ArrayList<>();
    final Bench.MachineWatch watch;
    final AtomicLong windowHeap = new AtomicLong();
    Process roster;
    Process slapd;
    int ldapPort;
    int slapdPort;
    int managementPort;
    volatile boolean sampling;
    String loadAtStart;
    String rowPhase = "";

    LdapBench() {
        watch = new Bench.MachineWatch(List.of(db));
    }

    public static void main(String[] args) throws Exception {
        LdapBench bench = new LdapBench();
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopAll));
        try {
            bench.run();
        } finally {
            bench.stopAll();
        }
    }

    void run() throws Exception {
        Files.createDirectories(out);
        loadAtStart = Bench.loadAverage();
        Thread watcher = new Thread(watch, "machine-watch");
        watcher.setDaemon(true);
        watcher.start();
        boolean withSlapd = Files.isExecutable(Path.of(slapdBinary)) && Files.isExecutable(slapadd());
        if (!withSlapd && !smoke) {
            throw new IllegalStateException("OpenLDAP's slapd is needed for the side-by-side rows (Debian: apt-get install slapd; "
                    + "its system instance is never touched): " + slapdBinary);
        }
        log("LDAP bench: mode " + (smoke ? "smoke" : "full") + ", sizes " + sizes + ", Roster -Xmx" + heap + ", database " + db
                + (withSlapd ? ", slapd " + slapdBinary : ", no slapd (smoke without it)"));
        psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
        startRoster();
        Thread sampler = startHeapSampler();
        psql("INSERT INTO ldap_service_account (id, name, description, access_right, secret_sha256, created_by_name) VALUES ('"
                + UUID.randomUUID() + "', '" + SERVICE + "', 'LDAP bench', 'READ_ONLY', '" + sha256Hex(SERVICE_SECRET) + "', 'bench')");
        if (withSlapd) {
            prepareSlapd();
        }

        int seeded = 0;
        for (int n : sizes) {
            phase("ldap seed " + Bench.fmtRows(n));
            double[] seed = seed(seeded, n, withSlapd);
            seeded = n;
            phase("ldap uid search " + Bench.fmtRows(n) + " Roster");
            Latency rosterUid = uidSearch("Roster", ldapPort, n);
            phase("ldap uid search " + Bench.fmtRows(n) + " slapd");
            Latency slapdUid = withSlapd ? uidSearch("slapd", slapdPort, n) : null;
            rowPhase = "ldap seed " + Bench.fmtRows(n);
            row("Seed users " + Bench.fmtRows((int) seed[2]) + " → " + Bench.fmtRows(n) + ": COPY into Roster / slapadd -q",
                    String.format(Locale.ROOT, "%.1f s / %s", seed[0], withSlapd ? String.format(Locale.ROOT, "%.1f s", seed[1]) : "–"),
                    "", "", "");
            rowPhase = "ldap uid search " + Bench.fmtRows(n) + " Roster";
            row("Search (uid=…) on " + Bench.fmtRows(n) + " users, " + clients + " clients: Roster", rosterUid.text(), rosterUid.rate(),
                    slapdUid == null ? "no slapd here" : String.format(Locale.ROOT, "%.2f of slapd's throughput",
                            rosterUid.perSecond / slapdUid.perSecond), "≥ 1/3 of slapd; p95 ≤ 5 ms");
            if (slapdUid != null) {
                rowPhase = "ldap uid search " + Bench.fmtRows(n) + " slapd";
                row("Search (uid=…) on " + Bench.fmtRows(n) + " users, " + clients + " clients: OpenLDAP slapd (mdb)", slapdUid.text(),
                        slapdUid.rate(), "1.00", "");
            }
        }
        if (withSlapd) {
            stopSlapd();
        }

        binds();

        phase("ldap paged all");
        long live = Long.parseLong(psql("SELECT count(*) FROM directory_user WHERE status IN ('INVITED', 'ACTIVE')").strip());
        Paged all = paged("(objectClass=person)");
        rowPhase = "ldap paged all";
        row("Paged search (page 1,000) of every user, Roster -Xmx" + heap, Bench.secs(all.seconds), rate(all.entries, all.seconds),
                String.format(Locale.ROOT, "%s: %,d of %,d users in %,d pages, first page %.0f ms, peak heap %d MiB",
                        all.entries == live ? "completed" : "INCOMPLETE", all.entries, live, all.pages, all.firstPageMs,
                        all.peakHeap >> 20), "completes in -Xmx512m");

        phase("ldap memberOf");
        double seedGroup = seedGroup();
        Paged members = paged("(memberOf=cn=" + GROUP + ",ou=groups," + BASE + ")");
        long expected = Long.parseLong(psql("SELECT count(*) FROM group_membership").strip());
        rowPhase = "ldap memberOf";
        row("Paged (memberOf=<group>) of a " + Bench.fmtRows(groupMembers) + "-member group, Roster -Xmx" + heap, Bench.secs(members.seconds),
                rate(members.entries, members.seconds),
                String.format(Locale.ROOT, "%s: %,d of %,d members in %,d pages, first page %.0f ms, peak heap %d MiB "
                        + "(group seeded in %.1f s)", members.entries == expected ? "completed" : "INCOMPLETE", members.entries,
                        expected, members.pages, members.firstPageMs, members.peakHeap >> 20, seedGroup),
                "streams its pages in -Xmx512m");

        sampling = false;
        sampler.join();
        stopRoster();
        printTable();
        if (smoke) {
            psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
        }
        deleteTree(slapdDir);
    }

    // ---------------------------------------------------------------- the users (one generator for both servers)

    /** User i, the same whatever the size: a larger size adds users to the smaller one's. */
    record Person(UUID id, String uid, String mail, String given, String family, String title, String department) {
    }

    static Person person(int i) {
        Random r = new Random(i * 7919L + 25);
        String g = Bench.GIVEN[r.nextInt(Bench.GIVEN.length)];
        String f = Bench.FAMILY[r.nextInt(Bench.FAMILY.length)];
        String uid = Bench.ascii(g) + "." + Bench.ascii(f) + "." + Integer.toString(i, 36);
        return new Person(UUID.nameUUIDFromBytes(("ldap-bench-" + i).getBytes(StandardCharsets.UTF_8)), uid,
                uid + "@ldap.bench.example.org", g, f, Bench.TITLES[r.nextInt(Bench.TITLES.length)], Bench.DEPARTMENTS[r.nextInt(Bench.DEPARTMENTS.length)]);
    }

    /**
     * Users [from, to) into Roster (one CSV through psql's \copy) and into slapd (the same users as LDIF, slapadd -q
     * while it is stopped). {Roster seconds, slapd seconds, from}.
     */
    double[] seed(int from, int to, boolean withSlapd) throws Exception {
        Path csv = out.resolve("ldap-users-" + from + "-" + to + ".csv");
        Path ldif = out.resolve("ldap-users-" + from + "-" + to + ".ldif");
        try (BufferedWriter c = Files.newBufferedWriter(csv, StandardCharsets.UTF_8);
             BufferedWriter l = withSlapd ? Files.newBufferedWriter(ldif, StandardCharsets.UTF_8) : null) {
            for (int i = from; i < to; i++) {
                Person p = person(i);
                uids[i] = p.uid();
                c.write(p.id + "," + p.uid + "," + p.mail + "," + Bench.csv(p.given) + "," + Bench.csv(p.family) + "," + p.title + ","
                        + p.department + ",ACTIVE,lb-" + i + "\n");
                if (l != null) {
                    l.write("dn: uid=" + p.uid + "," + PEOPLE + "\nobjectClass: top\nobjectClass: person\n"
                            + "objectClass: organizationalPerson\nobjectClass: inetOrgPerson\nuid: " + p.uid + "\nmail: " + p.mail
                            + "\n" + ldif("cn", p.given + " " + p.family) + ldif("givenName", p.given) + ldif("sn", p.family)
                            + "title: " + p.title + "\nou: " + p.department + "\n\n");
                }
            }
        }
        long t = System.nanoTime();
        psql("\\copy directory_user (id, username, email, given_name, family_name, title, department, status, external_id) FROM '"
                + csv + "' WITH (FORMAT csv)");
        psql("ANALYZE directory_user");
        double rosterSeconds = (System.nanoTime() - t) / 1e9;
        double slapdSeconds = 0;
        if (withSlapd) {
            stopSlapd();
            t = System.nanoTime();
            exec(List.of(slapadd().toString(), "-q", "-f", slapdDir.resolve("slapd.conf").toString(), "-l", ldif.toString()));
            slapdSeconds = (System.nanoTime() - t) / 1e9;
            startSlapd();
        }
        Files.deleteIfExists(csv);
        Files.deleteIfExists(ldif);
        log(String.format(Locale.ROOT, "seeded users %,d..%,d: Roster %.1f s, slapd %s", from, to - 1, rosterSeconds,
                withSlapd ? String.format(Locale.ROOT, "%.1f s", slapdSeconds) : "-"));
        return new double[] { rosterSeconds, slapdSeconds, from };
    }

    /** An LDIF line: base64 (attr:: ...) unless the value is a SAFE-STRING (RFC 2849). */
    static String ldif(String attr, String value) {
        boolean safe = !value.isEmpty() && value.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)
                && " :<".indexOf(value.charAt(0)) < 0 && !value.endsWith(" ");
        return safe ? attr + ": " + value + "\n"
                : attr + ":: " + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "\n";
    }

    // ---------------------------------------------------------------- slapd (a child process, never the system's)

    Path slapadd() {
        return Path.of(slapdBinary).resolveSibling("slapadd");
    }

    /** bench/out/slapd: slapd.conf (mdb, the indexes an application's lookups need), the base entries and the bench account. */
    void prepareSlapd() throws Exception {
        deleteTree(slapdDir);
        Files.createDirectories(slapdDir.resolve("db"));
        String conf = """
                include /etc/ldap/schema/core.schema
                include /etc/ldap/schema/cosine.schema
                include /etc/ldap/schema/inetorgperson.schema
                pidfile DIR/slapd.pid
                argsfile DIR/slapd.args
                modulepath /usr/lib/ldap
                moduleload back_mdb
                loglevel 0
                tool-threads 2
                database mdb
                maxsize 17179869184
                suffix "BASE"
                rootdn "cn=admin,BASE"
                directory DIR/db
                index objectClass eq
                index uid eq
                index mail eq
                index entryUUID eq
                access to attrs=userPassword by anonymous auth by * none
                access to * by users read by * none
                """.replace("DIR", slapdDir.toString()).replace("BASE", BASE);
        Files.writeString(slapdDir.resolve("slapd.conf"), conf);
        byte[] salt = new byte[8];
        new SecureRandom().nextBytes(salt);
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update(SERVICE_SECRET.getBytes(StandardCharsets.UTF_8));
        sha1.update(salt);
        byte[] digest = sha1.digest();
        byte[] both = new byte[digest.length + salt.length];
        System.arraycopy(digest, 0, both, 0, digest.length);
        System.arraycopy(salt, 0, both, digest.length, salt.length);
        String ldif = "dn: " + BASE + "\nobjectClass: top\nobjectClass: domain\ndc: roster\n\n"
                + "dn: " + PEOPLE + "\nobjectClass: organizationalUnit\nou: people\n\n"
                + "dn: ou=groups," + BASE + "\nobjectClass: organizationalUnit\nou: groups\n\n"
                + "dn: ou=services," + BASE + "\nobjectClass: organizationalUnit\nou: services\n\n"
                + "dn: " + SERVICE_DN + "\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\ncn: " + SERVICE
                + "\nuserPassword: {SSHA}" + Base64.getEncoder().encodeToString(both) + "\n\n";
        Path base = slapdDir.resolve("base.ldif");
        Files.writeString(base, ldif);
        exec(List.of(slapadd().toString(), "-q", "-f", slapdDir.resolve("slapd.conf").toString(), "-l", base.toString()));
    }

    void startSlapd() throws Exception {
        slapdPort = Bench.freePort();
        slapd = new ProcessBuilder(slapdBinary, "-d", "0", "-f", slapdDir.resolve("slapd.conf").toString(), "-h",
                "ldap://127.0.0.1:" + slapdPort + "/").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("slapd.log").toFile())).start();
        processes.add(slapd);
        awaitLdap(slapd, slapdPort, "slapd", out.resolve("slapd.log"));
    }

    void stopSlapd() throws InterruptedException {
        if (slapd == null) {
            return;
        }
        slapd.destroy(); // SIGTERM: slapd closes its database cleanly
        if (!slapd.waitFor(60, TimeUnit.SECONDS)) {
            slapd.destroyForcibly().waitFor();
        }
        processes.remove(slapd);
        slapd = null;
    }

    void awaitLdap(Process p, int port, String what, Path logFile) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(what + " stopped at start; see " + logFile);
            }
            try (LDAPConnection c = new LDAPConnection("127.0.0.1", port, SERVICE_DN, SERVICE_SECRET)) {
                log(what + " answers LDAP on port " + port + " (pid " + p.pid() + ")");
                return;
            } catch (LDAPException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(what + " did not answer LDAP; see " + logFile);
    }

    // ---------------------------------------------------------------- row 1: uid searches, Roster and slapd

    record Latency(long[] sortedNanos, double perSecond, long failures) {
        String text() {
            return String.format(Locale.ROOT, "p50 %.2f / p95 %.2f / p99 %.2f ms%s", Bench.pct(sortedNanos, 50), Bench.pct(sortedNanos, 95),
                    Bench.pct(sortedNanos, 99), failures > 0 ? ", " + failures + " failed" : "");
        }

        String rate() {
            return String.format(Locale.ROOT, "%,.0f searches/s", perSecond);
        }
    }

    /** Each client binds once as the bench service account, then looks up random users by uid, one at a time. */
    Latency uidSearch(String server, int port, int n) throws Exception {
        List<LDAPConnection> connections = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            connections.add(new LDAPConnection("127.0.0.1", port, SERVICE_DN, SERVICE_SECRET));
        }
        ConcurrentLinkedQueue<long[]> all = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        try {
            for (int phase = 0; phase < 2; phase++) {
                long until = System.nanoTime() + (phase == 0 ? warmupSeconds : readSeconds) * 1_000_000_000L;
                boolean record = phase == 1;
                CountDownLatch done = new CountDownLatch(clients);
                for (LDAPConnection connection : connections) {
                    new Thread(() -> {
                        long[] mine = new long[1 << 16];
                        int count = 0;
                        ThreadLocalRandom r = ThreadLocalRandom.current();
                        while (System.nanoTime() < until) {
                            String uid = uids[r.nextInt(n)];
                            long t0 = System.nanoTime();
                            try {
                                SearchResult res = connection.search(new SearchRequest(PEOPLE, SearchScope.SUB,
                                        Filter.createEqualityFilter("uid", uid), LOOKUP_ATTRIBUTES));
                                if (res.getEntryCount() != 1) {
                                    failures.incrementAndGet();
                                }
                            } catch (LDAPException e) {
                                failures.incrementAndGet();
                            }
                            if (record) {
                                if (count == mine.length) {
                                    mine = java.util.Arrays.copyOf(mine, count * 2);
                                }
                                mine[count++] = System.nanoTime() - t0;
                            }
                        }
                        all.add(java.util.Arrays.copyOf(mine, count));
                        done.countDown();
                    }).start();
                }
                done.await();
                if (!record) {
                    all.clear();
                    failures.set(0);
                }
            }
        } finally {
            connections.forEach(LDAPConnection::close);
        }
        long[] l = all.stream().flatMapToLong(java.util.Arrays::stream).sorted().toArray();
        Latency result = new Latency(l, l.length / (double) readSeconds, failures.get());
        log(String.format(Locale.ROOT, "uid search, %s, %,d users, %d clients: %s, %s", server, n, clients, result.text(), result.rate()));
        return result;
    }

    // ---------------------------------------------------------------- row 2: binds with Argon2id vs hashing alone

    static final int MEMORY_KIB = 19 * 1024;
    static final int ITERATIONS = 2;

    /** Roster's PasswordHasher format and parameters (m=19 MiB, t=2, p=1), with the same library. */
    static String argon2Hash(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=1$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(argon2(password, salt));
    }

    static boolean argon2Verify(String password, String stored) {
        String[] p = stored.split("\\$");
        byte[] salt = Base64.getDecoder().decode(p[4]);
        byte[] expected = Base64.getDecoder().decode(p[5]);
        return MessageDigest.isEqual(expected, argon2(password, salt));
    }

    static byte[] argon2(String password, byte[] salt) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(MEMORY_KIB).withIterations(ITERATIONS).withParallelism(1).withSalt(salt).build());
        byte[] hash = new byte[32];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), hash);
        return hash;
    }

    /**
     * Gives bind users Argon2id hashes at Roster's parameters, measures verifications per second in this JVM with as many
     * threads as the slots directory users' binds may use (and as all slots), then binds through Roster's LDAP with
     * {@link #bindClients} clients, each on users of its own (no account is bound twice at once).
     */
    void binds() throws Exception {
        phase("ldap bind users");
        int users = Math.min(largest, 16 * bindClients);
        String[] passwords = new String[users];
        String[] hashes = new String[users];
        java.util.stream.IntStream.range(0, users).parallel().forEach(i -> {
            passwords[i] = "ldap-bench-password-" + i;
            hashes[i] = argon2Hash(passwords[i]);
        });
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < users; i++) {
            values.append(i == 0 ? "" : ", ").append("('lb-").append(i).append("', '").append(hashes[i]).append("')");
        }
        psql("UPDATE directory_user u SET password_hash = v.h FROM (VALUES " + values + ") v(x, h) WHERE u.external_id = v.x");

        phase("ldap hashing alone");
        double hashingBind = hashingAlone(bindSlots, passwords, hashes);
        double hashingAll = hashSlots == bindSlots ? hashingBind : hashingAlone(hashSlots, passwords, hashes);

        phase("ldap binds");
        AtomicLong ok = new AtomicLong();
        AtomicLong busy = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<LDAPConnection> connections = new ArrayList<>();
        for (int c = 0; c < bindClients; c++) {
            connections.add(new LDAPConnection("127.0.0.1", ldapPort));
        }
        double seconds = 0;
        try {
            for (int phase = 0; phase < 2; phase++) {
                long start = System.nanoTime();
                long until = start + (phase == 0 ? warmupSeconds : readSeconds) * 1_000_000_000L;
                ok.set(0);
                busy.set(0);
                failed.set(0);
                CountDownLatch done = new CountDownLatch(bindClients);
                for (int c = 0; c < bindClients; c++) {
                    int client = c;
                    LDAPConnection connection = connections.get(c);
                    new Thread(() -> {
                        for (int k = 0; System.nanoTime() < until; k++) {
                            int i = client + bindClients * (k % (users / bindClients));
                            try {
                                connection.bind("uid=" + uids[i] + "," + PEOPLE, passwords[i]);
                                ok.incrementAndGet();
                            } catch (LDAPException e) {
                                (e.getResultCode() == ResultCode.BUSY ? busy : failed).incrementAndGet();
                            }
                        }
                        done.countDown();
                    }).start();
                }
                done.await();
                seconds = (System.nanoTime() - start) / 1e9; // the last binds end after the window: counted in it
            }
        } finally {
            connections.forEach(LDAPConnection::close);
        }
        double perSecond = ok.get() / seconds;
        log(String.format(Locale.ROOT, "binds: %,d in %.1f s (%,.1f/s), %d busy, %d failed; hashing alone %,.1f/s in %d threads, "
                + "%,.1f/s in %d", ok.get(), seconds, perSecond, busy.get(), failed.get(), hashingBind, bindSlots, hashingAll,
                hashSlots));
        rowPhase = "ldap hashing alone";
        row("Hashing alone (Argon2id m=19 MiB t=2 p=1, BouncyCastle, bench JVM): " + bindSlots + " / " + hashSlots + " threads",
                "", String.format(Locale.ROOT, "%,.1f / %,.1f verifications/s", hashingBind, hashingAll), "", "");
        rowPhase = "ldap binds";
        row("Simple binds of Argon2id users through Roster's LDAP, " + bindClients + " clients (" + bindSlots + " of "
                + hashSlots + " hashing slots are directory users')", "", String.format(Locale.ROOT, "%,.1f binds/s%s", perSecond,
                        busy.get() + failed.get() > 0 ? ", " + busy.get() + " busy, " + failed.get() + " failed" : ""),
                String.format(Locale.ROOT, "%.0f%% of hashing in %d threads (%.0f%% of %d)", 100 * perSecond / hashingBind,
                        bindSlots, 100 * perSecond / hashingAll, hashSlots), "≥ 90%");
    }

    /** Verifications per second in the timed window with the given threads (after a warm-up). */
    double hashingAlone(int threads, String[] passwords, String[] hashes) throws Exception {
        double rate = 0;
        for (int phase = 0; phase < 2; phase++) {
            long start = System.nanoTime();
            long until = start + (phase == 0 ? warmupSeconds : readSeconds) * 1_000_000_000L;
            AtomicLong count = new AtomicLong();
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                int offset = t;
                new Thread(() -> {
                    for (int k = offset; System.nanoTime() < until; k += threads) {
                        int i = k % hashes.length;
                        if (!argon2Verify(passwords[i], hashes[i])) {
                            throw new IllegalStateException("hash " + i + " does not verify");
                        }
                        count.incrementAndGet();
                    }
                    done.countDown();
                }).start();
            }
            done.await();
            rate = count.get() / ((System.nanoTime() - start) / 1e9);
        }
        return rate;
    }

    // ---------------------------------------------------------------- row 3: paged searches within -Xmx512m

    record Paged(long entries, long pages, double seconds, double firstPageMs, long peakHeap) {
    }

    /** Every entry the filter matches under ou=people, in pages of 1,000, counted and dropped as they arrive. */
    Paged paged(String filter) throws Exception {
        windowHeap.set(0);
        AtomicLong entries = new AtomicLong();
        SearchResultListener counter = new SearchResultListener() {
            @Override
            public void searchEntryReturned(SearchResultEntry entry) {
                entries.incrementAndGet();
            }

            @Override
            public void searchReferenceReturned(SearchResultReference reference) {
            }
        };
        long pages = 0;
        double firstPageMs = 0;
        long t = System.nanoTime();
        try (LDAPConnection c = new LDAPConnection("127.0.0.1", ldapPort, SERVICE_DN, SERVICE_SECRET)) {
            ASN1OctetString cookie = null;
            do {
                SearchRequest request = new SearchRequest(counter, PEOPLE, SearchScope.ONE, filter, "*");
                request.setControls(new SimplePagedResultsControl(1000, cookie));
                SearchResult res = c.search(request);
                if (res.getResultCode() != ResultCode.SUCCESS) {
                    throw new IllegalStateException("paged search " + filter + " answered " + res.getResultCode());
                }
                if (pages++ == 0) {
                    firstPageMs = (System.nanoTime() - t) / 1e6;
                }
                SimplePagedResultsControl next = SimplePagedResultsControl.get(res);
                cookie = next == null || next.getCookie().getValueLength() == 0 ? null : next.getCookie();
            } while (cookie != null);
        }
        double s = (System.nanoTime() - t) / 1e9;
        Thread.sleep(300); // one more heap sample
        Paged p = new Paged(entries.get(), pages, s, firstPageMs, windowHeap.get());
        log(String.format(Locale.ROOT, "paged %s: %,d entries in %,d pages in %.2f s (first page %.0f ms), peak heap %d MiB",
                filter, p.entries, p.pages, s, firstPageMs, p.peakHeap >> 20));
        return p;
    }

    /** One group of {@link #groupMembers} users spread over the directory (every k-th user), by SQL as Bench does. */
    double seedGroup() throws Exception {
        int step = Math.max(1, largest / groupMembers);
        long t = System.nanoTime();
        psql("INSERT INTO user_group (id, name, description) VALUES (md5('ldap-bench-group')::uuid, '" + GROUP + "', 'seeded'); "
                + "INSERT INTO group_membership (group_id, user_id, added_by) SELECT md5('ldap-bench-group')::uuid, id, 'bench' "
                + "FROM directory_user WHERE external_id LIKE 'lb-%' AND substr(external_id, 4)::int % " + step + " = 0 "
                + "AND substr(external_id, 4)::int < " + (long) step * groupMembers + "; ANALYZE group_membership;");
        double s = (System.nanoTime() - t) / 1e9;
        log(String.format(Locale.ROOT, "group of %,d members seeded in %.1f s", groupMembers, s));
        return s;
    }

    // ---------------------------------------------------------------- Roster (as Bench.startRoster, LDAP on)

    void startRoster() throws Exception {
        int port = Bench.freePort();
        ldapPort = Bench.freePort();
        managementPort = Bench.freePort();
        List<String> cmd = List.of("java", "-Xmx" + heap, "-XX:+UseG1GC",
                "-Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:5432/" + db,
                "-Dquarkus.datasource.username=roster_app", "-Dquarkus.datasource.password=roster_app",
                "-Dquarkus.flyway.username=roster", "-Dquarkus.flyway.password=roster",
                "-Droster.audit.checkpoint-key=YmVuY2gtY2hlY2twb2ludC1rZXktMzItYnl0ZXMtbG9uZy4=",
                "-Droster.database.allow-default-password=true", "-Droster.admin.password=bench-admin-password-1",
                "-Droster.demo-data=false",
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort, "-Dquarkus.management.host=127.0.0.1",
                "-Droster.mail.sender.enabled=false", "-Dquarkus.mailer.mock=false", "-Dquarkus.mailer.host=127.0.0.1",
                "-Dquarkus.mailer.port=25", "-Dquarkus.mailer.start-tls=DISABLED",
                "-Droster.mail.token-key=" + System.getenv().getOrDefault("ROSTER_MAIL_TOKEN_KEY",
                        "YmVuY2gtb25seS1tYWlsLXRva2VuLWtleS0zMmJ5dGU="),
                "-Droster.ldap.enabled=true", "-Droster.ldap.host=127.0.0.1", "-Droster.ldap.port=" + ldapPort,
                "-Droster.sign-in.max-concurrent-hashes=" + hashSlots,
                "-Djava.io.tmpdir=" + out,
                "-jar", root.resolve("target/quarkus-app/quarkus-run.jar").toString());
        roster = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("roster-ldap.log").toFile())).start();
        processes.add(roster);
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (!roster.isAlive()) {
                throw new IllegalStateException("Roster stopped at start; see " + out.resolve("roster-ldap.log"));
            }
            try {
                if (management("/q/health/ready").statusCode() == 200) {
                    log("Roster up, LDAP on port " + ldapPort + " (pid " + roster.pid() + ")");
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Roster did not become ready; see " + out.resolve("roster-ldap.log"));
    }

    void stopRoster() throws InterruptedException {
        roster.destroy();
        if (!roster.waitFor(40, TimeUnit.SECONDS)) {
            roster.destroyForcibly().waitFor();
        }
        processes.remove(roster);
    }

    HttpResponse<String> management(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Roster's heap (jvm_memory_used_bytes, area heap) every 250 ms; the peak since windowHeap was reset. */
    Thread startHeapSampler() {
        sampling = true;
        Pattern p = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.E+]+)", Pattern.MULTILINE);
        Thread t = new Thread(() -> {
            while (sampling) {
                try {
                    Matcher m = p.matcher(management("/q/metrics").body());
                    long sum = 0;
                    while (m.find()) {
                        sum += (long) Double.parseDouble(m.group(1));
                    }
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

    // ---------------------------------------------------------------- small helpers


    static String sha256Hex(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    String psql(String sql) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "roster", "-d", db, "-v", "ON_ERROR_STOP=1",
                "-qAtX", "-c", sql).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", "roster");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql failed: " + output);
        }
        return output;
    }

    void exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + output);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    void stopAll() {
        for (Process p : List.copyOf(processes)) {
            p.destroy();
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
            processes.remove(p);
        }
    }

    static String rate(long n, double s) {
        return String.format(Locale.ROOT, "%,.0f entries/s", n / s);
    }

    static void log(String s) {
        Bench.log("ldap: " + s);
    }

    void phase(String name) {
        watch.phase(name);
        log("phase " + name + " (load " + Bench.loadAverage() + ")");
    }

    void row(String what, String time, String rate, String ratio, String target) {
        Bench.MachineWatch.Summary noise = watch.summary(rowPhase);
        rows.add(new String[] { what, time, rate, ratio, target, noise == null ? "" : noise.toString() });
    }

    void printTable() throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("Roster LDAP benchmark (#25), ").append(LocalDate.now()).append(", ").append(smoke ? "smoke" : "full")
                .append(" run, ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(", load average ").append(loadAtStart).append(" at start, ")
                .append(Bench.loadAverage()).append(" at end\n\n");
        b.append("Commit ").append(commit()).append(". A row is **noisy** when processes other than the benchmark's used more than ")
                .append(Bench.MachineWatch.NOISY_CORES).append(" cores on average (or one core in any second) during its phase.\n\n");
        b.append("| measure | time / latency | rate | ratio | target | machine during the phase |\n|---|---|---|---|---|---|\n");
        for (String[] r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        System.out.println();
        System.out.print(b);
        Files.writeString(out.resolve(smoke ? "ldap-table-smoke.md" : "ldap-table.md"), b.toString());
    }

    String commit() {
        return Bench.commit(root);
    }
}
