package dev.roster.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.roster.batch.planning.BatchPlanning;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Gets a source's file into a temporary file, hashing it on the way: the newest stable file of a
 * watched directory (its size and time unchanged over the settle interval), or a URL's answer (HTTPS,
 * plain HTTP only for localhost; an optional bearer token or basic credentials; timeouts; a size cap;
 * 404, HTML pages and other non-CSV answers refused with the reason).
 */
@ApplicationScoped
public class SourceFetcher {

    /** What a fetch gave. */
    public sealed interface Result permits Got, NothingNew, Refused {
    }

    /** A file to plan; the caller deletes {@code file}. */
    public record Got(Path file, String name, long size, Instant modified, String sha256) implements Result {
    }

    /** No new file (a watched directory with nothing new, or a file still being written). */
    public record NothingNew(String reason) implements Result {
    }

    /** The source answered with something that is not a file to plan, or did not answer. */
    public record Refused(String reason, boolean transientFault) implements Result {
    }

    /** The last file processed, so a directory's newest file is taken only once. */
    public record Last(String fileName, long size, Instant modified) {
    }

    private static final List<String> PARTIAL = List.of(".tmp", ".part", ".partial", ".swp", ".crdownload", "~");

    @Inject
    SyncSettings settings;
    @Inject
    BatchPlanning planning;
    @Inject
    SyncSources sources;

    public Result fetch(SyncSource source, Last last) {
        return source.kind() == SyncSource.Kind.DIRECTORY ? fromDirectory(source, last) : fromUrl(source);
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]") || h.equals("::1");
    }

    static final String ROOT_SETTING = "roster.sync.directory-root";

    /** A directory outside {@value #ROOT_SETTING}, or no root set: the message says which. */
    static final class OutsideRoot extends Exception {
        OutsideRoot(String message) {
            super(message, null, false, false);
        }
    }

    /** The real path of the configured root; refused when it is not set or not a directory. */
    static Path realRoot(Optional<String> root) throws OutsideRoot {
        if (root.isEmpty() || root.get().isBlank()) {
            throw new OutsideRoot("directory sources are off on this server: an administrator sets " + ROOT_SETTING
                    + " to the directory the exports are written to (docs/sync.md)");
        }
        try {
            Path real = Path.of(root.get().strip()).toRealPath();
            if (!Files.isDirectory(real)) {
                throw new IOException("not a directory");
            }
            return real;
        } catch (IOException | RuntimeException e) {
            throw new OutsideRoot(ROOT_SETTING + " (" + root.get().strip() + ") is not a directory on this server; "
                    + "create it or correct the setting");
        }
    }

    /**
     * Whether {@code path} (a file or directory, symbolic links resolved) lies inside the real root: the only part
     * of the server's file system a directory source may read.
     */
    static boolean inside(Path path, Path realRoot) {
        try {
            return path.toRealPath().startsWith(realRoot);
        } catch (IOException e) {
            return false;
        }
    }

    private Result fromDirectory(SyncSource source, Last last) {
        Path dir = Path.of(source.location());
        Path root;
        try {
            root = realRoot(settings.directoryRoot());
        } catch (OutsideRoot e) {
            return new Refused(e.getMessage(), false);
        }
        if (!Files.isDirectory(dir)) {
            return new Refused("the directory " + dir + " does not exist (or is not a directory) on this server", true);
        }
        if (!inside(dir, root)) {
            // Checked at every fetch: a link swapped in after the source was saved must not reach out of the root.
            return new Refused("the directory " + dir + " is not inside " + ROOT_SETTING + " (" + root + "), symbolic "
                    + "links resolved; directory sources read only there", false);
        }
        Path newest;
        try (Stream<Path> files = Files.list(dir.toRealPath())) {
            // A file that is a link out of the root is never read (nor its first line quoted in a reason).
            newest = files.filter(p -> inside(p, root)).filter(Files::isRegularFile).filter(SourceFetcher::complete)
                    .max(Comparator.comparing(SourceFetcher::modified).thenComparing(p -> p.getFileName().toString()))
                    .orElse(null);
        } catch (IOException e) {
            return new Refused("the directory " + dir + " cannot be read: " + e.getMessage(), true);
        }
        if (newest == null) {
            return new NothingNew("no file in " + dir);
        }
        String name = newest.getFileName().toString();
        try {
            BasicFileAttributes seen = Files.readAttributes(newest, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (last != null && name.equals(last.fileName()) && seen.size() == last.size()
                    && seen.lastModifiedTime().toInstant().equals(last.modified())) {
                return new NothingNew("no new file in " + dir + " since " + name + " was processed");
            }
            // Stable: the same size and time over the settle interval (a writer still at work changes them).
            Thread.sleep(settings.settle().toMillis());
            BasicFileAttributes now = Files.readAttributes(newest, BasicFileAttributes.class);
            if (now.size() != seen.size() || !now.lastModifiedTime().equals(seen.lastModifiedTime())) {
                return new NothingNew(name + " is still being written (it changed within " + settings.settle().toSeconds()
                        + " s); it is taken once it is stable");
            }
            Got got;
            // Opened without following a link, and only if it is still the file listed inside the root: a link swapped
            // in between the listing and the open is refused, not read.
            try (InputStream in = java.nio.channels.Channels.newInputStream(Files.newByteChannel(newest,
                    java.util.Set.<java.nio.file.OpenOption>of(java.nio.file.StandardOpenOption.READ,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS)))) {
                BasicFileAttributes opened = Files.readAttributes(newest, BasicFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (!opened.isRegularFile() || !java.util.Objects.equals(opened.fileKey(), seen.fileKey())
                        || !inside(newest, root)) {
                    return new Refused(name + " was replaced while it was read (by a link or another file); it is not "
                            + "read. Check who else writes to " + dir, false);
                }
                got = copy(in, name, now.lastModifiedTime().toInstant());
            }
            BasicFileAttributes after = Files.readAttributes(newest, BasicFileAttributes.class);
            if (after.size() != now.size() || !after.lastModifiedTime().equals(now.lastModifiedTime())) {
                Files.deleteIfExists(got.file());
                return new NothingNew(name + " changed while it was read; it is taken once it is stable");
            }
            return got;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Refused("interrupted while waiting for " + name + " to be stable", true);
        } catch (TooLarge e) {
            return new Refused(name + " is larger than the limit of " + (e.limit / (1024 * 1024)) + " MB (roster.csv.max-bytes)", false);
        } catch (IOException e) {
            if (Files.isSymbolicLink(newest)) {
                return new Refused(name + " was replaced by a symbolic link while it was read; links are not followed in a "
                        + "drop directory. Check who else writes to " + dir, false);
            }
            return new Refused(name + " cannot be read: " + e.getMessage(), true);
        }
    }

    private static boolean complete(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && PARTIAL.stream().noneMatch(n::endsWith);
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    /**
     * Whether an address is one of the server's own network (loopback, link-local such as 169.254.169.254 and
     * fe80::/10, site-local 10/8 172.16/12 192.168/16, unique-local fc00::/7, the any-address or multicast), or one
     * that is not a public unicast address: 0/8, carrier-grade NAT 100.64/10, the benchmarking range 198.18/15, the
     * reserved 240/4 (and broadcast), the deprecated IPv4-compatible ::/96, and the IPv6 forms that carry an IPv4
     * address (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16), judged by the IPv4 address inside;
     * the NAT64 local-use prefix 64:ff9b:1::/48 is private as a whole (its IPv4 address may sit at any of the RFC 6052
     * offsets, and it only ever reaches a local translator).
     */
    static boolean privateAddress(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return privateV4(b);
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return true;
        }
        boolean compatible = true;
        for (int i = 0; i < 12; i++) {
            compatible &= b[i] == 0;
        }
        if (compatible) {
            return true; // ::/96, IPv4-compatible: deprecated (RFC 4291), no public server is reached that way
        }
        if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && b[4] == 0
                && b[5] == 1) {
            return true; // NAT64 local-use 64:ff9b:1::/48 (RFC 8215): a local translator, the IPv4 inside at any offset
        }
        byte[] embedded = embeddedV4(b);
        try {
            return embedded != null && privateAddress(InetAddress.getByAddress(embedded));
        } catch (UnknownHostException e) {
            return true;
        }
    }

    private static boolean privateV4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return first == 0 || first == 100 && (second & 0xc0) == 64 || first == 198 && (second & 0xfe) == 18
                || first >= 240;
    }

    /** The IPv4 address inside an IPv6 address of the forms that carry one, or null. */
    private static byte[] embeddedV4(byte[] b) {
        boolean zeros80 = true;
        for (int i = 0; i < 10; i++) {
            zeros80 &= b[i] == 0;
        }
        boolean mapped = zeros80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        boolean wellKnown = nat64 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0 && b[8] == 0 && b[9] == 0
                && b[10] == 0 && b[11] == 0;
        if (mapped || wellKnown) {
            return new byte[] { b[12], b[13], b[14], b[15] };
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return new byte[] { b[2], b[3], b[4], b[5] };
        }
        return null;
    }

    /** Why the URL's host may not be fetched (null when it may): resolved now, every address checked. */
    String refuseHost(URI uri) {
        if (uri.getRawUserInfo() != null) {
            return "the URL carries a user name or password (user:password@host); give the credentials in the source's "
                    + "authentication fields instead";
        }
        if (settings.allowPrivateAddresses()) {
            return null;
        }
        String host = uri.getHost();
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            return null; // the connection fails with its own reason
        }
        for (InetAddress a : all) {
            if (privateAddress(a)) {
                return host + " resolves to " + a.getHostAddress() + ", an address of the server's own network "
                        + "(loopback, link-local, private or unique-local); sources may reach it only when "
                        + "roster.sync.allow-private-addresses=true";
            }
        }
        return null;
    }

    private Result fromUrl(SyncSource source) {
        URI uri = URI.create(source.location());
        String refusal = refuseHost(uri);
        if (refusal != null) {
            return new Refused(refusal, false);
        }
        // Redirects are never followed: one could lead the request (and its credential) to another host.
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.fetchTimeout())
                .header("Accept", "text/csv, text/plain;q=0.9, */*;q=0.1").GET();
        Optional<String> secret = sources.secret(source.id());
        if (source.authType() == SyncSource.AuthType.BEARER && secret.isPresent()) {
            request.header("Authorization", "Bearer " + secret.get());
        } else if (source.authType() == SyncSource.AuthType.BASIC && secret.isPresent()) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (source.username() + ":" + secret.get()).getBytes(StandardCharsets.UTF_8)));
        }
        // One deadline for the whole download: the request's own timeout ends at the response headers, and a server
        // that then trickles a byte a minute would hold this thread for ever.
        try (Watchdog watchdog = new Watchdog(settings.fetchTimeout())) {
            return download(client, request.build(), uri, watchdog);
        }
    }

    private Result download(HttpClient client, HttpRequest request, URI uri, Watchdog watchdog) {
        String shown = ShownLocation.of(uri); // never the query values: reasons are read by viewers and mailed
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return new Refused(uri.getHost() + " does not answer (" + describe(e) + "); check the URL and that the "
                    + "server is up", true);
        } catch (HttpTimeoutException e) {
            return tooSlow(uri);
        } catch (IOException e) {
            return watchdog.fired() ? tooSlow(uri) : new Refused("fetching " + shown + " failed: " + describe(e), true);
        } catch (InterruptedException e) {
            if (watchdog.fired()) {
                return tooSlow(uri);
            }
            Thread.currentThread().interrupt();
            return new Refused("interrupted while fetching " + shown, true);
        }
        try (InputStream body = watchdog.watch(response.body())) {
            int status = response.statusCode();
            if (status >= 300 && status < 400) {
                return new Refused(shown + " answered " + status + ", a redirect to "
                        + response.headers().firstValue("Location").map(ShownLocation::withoutQuery).orElse("(no Location)")
                        + "; redirects are not followed: give that address as the source's location if it is right", false);
            }
            if (status != 200) {
                String what = status == 404 ? "404 Not Found: no file at this address"
                        : status == 401 || status == 403 ? status + ": the credentials were refused"
                        : Integer.toString(status);
                return new Refused(shown + " answered " + what, status >= 500);
            }
            String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            if (type.startsWith("text/html") || type.startsWith("application/xhtml")) {
                return new Refused(shown + " answered an HTML page, not a CSV file (a sign-in page or an error page?)", false);
            }
            if (type.startsWith("image/") || type.startsWith("audio/") || type.startsWith("video/")
                    || type.equals("application/pdf") || type.equals("application/zip") || type.startsWith("application/json")) {
                return new Refused(shown + " answered " + type + ", not a CSV file", false);
            }
            Instant modified = response.headers().firstValue("Last-Modified").map(SourceFetcher::httpDate).orElse(null);
            String name = uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().endsWith("/") ? "export.csv"
                    : uri.getPath().substring(uri.getPath().lastIndexOf('/') + 1);
            Got got = copy(body, name, modified);
            if (watchdog.fired()) {
                Files.deleteIfExists(got.file());
                return tooSlow(uri);
            }
            String start = head(got.file());
            if (start.startsWith("<!doctype html") || start.startsWith("<html")) {
                Files.deleteIfExists(got.file());
                return new Refused(shown + " answered an HTML page, not a CSV file (a sign-in page or an error page?)", false);
            }
            return got;
        } catch (TooLarge e) {
            return new Refused(shown + " sent more than the limit of " + (e.limit / (1024 * 1024)) + " MB (roster.csv.max-bytes)", false);
        } catch (IOException e) {
            return watchdog.fired() ? tooSlow(uri)
                    : new Refused("reading the answer of " + shown + " failed: " + describe(e), true);
        }
    }

    private Refused tooSlow(URI uri) {
        return new Refused(ShownLocation.of(uri) + " did not send the whole file within " + settings.fetchTimeout().toSeconds()
                + " s (roster.sync.fetch-timeout); the download was cut off. Check that the server is not overloaded, "
                + "or raise the setting for a very large export", true);
    }

    /**
     * Cuts a download off at its deadline, whatever it is waiting for (connection, headers or the next byte of the
     * body): interrupts the fetching thread and closes the body. Closing it clears an interrupt it caused.
     */
    static final class Watchdog implements AutoCloseable {
        private final Thread thread = Thread.currentThread();
        private InputStream body;
        private boolean done;
        private boolean fired;

        Watchdog(Duration limit) {
            CompletableFuture.delayedExecutor(limit.toMillis(), TimeUnit.MILLISECONDS).execute(this::fire);
        }

        private synchronized void fire() {
            if (done) {
                return;
            }
            fired = true;
            thread.interrupt();
            closeBody();
        }

        synchronized InputStream watch(InputStream in) {
            body = in;
            if (fired) {
                closeBody();
            }
            return in;
        }

        synchronized boolean fired() {
            return fired;
        }

        private void closeBody() {
            if (body != null) {
                try {
                    body.close();
                } catch (IOException | RuntimeException e) {
                    // cut off: nothing more to read
                }
            }
        }

        @Override
        public void close() {
            boolean clear;
            synchronized (this) {
                done = true;
                clear = fired;
            }
            if (clear) {
                Thread.interrupted();
            }
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Instant httpDate(String value) {
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(64), StandardCharsets.UTF_8).replace("\uFEFF", "").strip().toLowerCase(Locale.ROOT);
        }
    }

    private static final class TooLarge extends IOException {
        final long limit;

        TooLarge(long limit) {
            super("too large");
            this.limit = limit;
        }
    }

    /** Copies into a temporary file with its SHA-256, refusing more than the upload limit. */
    private Got copy(InputStream in, String name, Instant modified) throws IOException {
        long limit = planning.limits().maxBytes();
        Path file = Files.createTempFile("roster-sync-", ".csv");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                size += n;
                if (size > limit) {
                    throw new TooLarge(limit);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new Got(file, name, size, modified, HexFormat.of().formatHex(sha.digest()));
    }
}
