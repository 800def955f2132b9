package dev.roster.batch;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.roster.plan.CorpusTest;
import dev.roster.support.Browser;
import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Property test of the upload path with a seeded generator (no property-testing library): random
 * bytes and random mutations of valid files go through POST /api/batches. Whatever comes in, the
 * answer is 202, 400 or 413 (never 5xx), the batch ends PLANNED or REJECTED (never stuck in
 * PLANNING, never an internal error), a rejection names the file and the problem, and the
 * directory is untouched. Widen with -Droster.fuzz.seed=N (one seed) and -Droster.fuzz.runs=N
 * (cases per seed); a failure prints the seed and case that reproduce it.
 */
@QuarkusTest
class UploadFuzzTest {

    private static final long[] DEFAULT_SEEDS = { 7L, 1_234_567L, 20_260_101L };
    private static final int DEFAULT_RUNS = 70;
    private static final int CHUNK = 15;
    private static final String[] OPERATIONS = { "onboard", "update", "delete", "reset", "mixed" };
    private static final String[] NAMES = { "Ann", "Bo", "Zoë", "José", "ليلى", "נועה", "李", "Ørjan", "😀 Smile",
            "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "O'Brien", "\"Quoted\"", "a,b", "Ünïcödé", "" };
    private static final List<String> PLANNED_CORPUS = corpusFilesThatPlan();

    @Inject
    Sql sql;

    /** One generated upload, with what reproduces it. */
    record FuzzCase(long seed, int run, String fileName, String operation, String matchBy, String recipe, byte[] bytes) {
        String where() {
            return "seed " + seed + " run " + run + " (" + recipe + ", " + bytes.length + " bytes, " + operation
                    + "); reproduce with -Droster.fuzz.seed=" + seed + " -Droster.fuzz.runs=" + (run + 1);
        }
    }

    @Test
    void randomBytesAndMutatedFilesNeverBreakTheUploadPath() {
        long[] seeds = System.getProperty("roster.fuzz.seed") == null ? DEFAULT_SEEDS
                : new long[] { Long.parseLong(System.getProperty("roster.fuzz.seed")) };
        int runs = Integer.getInteger("roster.fuzz.runs", DEFAULT_RUNS);
        String before = UploadCorpusTest.directoryFingerprint(sql);
        int[] outcomes = new int[4]; // planned, rejected, 400, 413
        for (long seed : seeds) {
            List<FuzzCase> pending = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                pending.add(generate(seed, run));
                if (pending.size() == CHUNK || run == runs - 1) {
                    check(pending, outcomes);
                    pending.clear();
                    assertEquals(before, UploadCorpusTest.directoryFingerprint(sql),
                            "the directory changed while planning fuzz cases of seed " + seed + " up to run " + run);
                }
            }
        }
        System.out.printf("UploadFuzzTest: %d cases (seeds %s x %d): %d planned, %d rejected, %d refused with 400, %d with 413%n",
                seeds.length * runs, Arrays.toString(seeds), runs, outcomes[0], outcomes[1], outcomes[2], outcomes[3]);
    }

    /** Uploads a chunk (so planning runs while the next uploads go in), then checks each batch's outcome. */
    private void check(List<FuzzCase> cases, int[] outcomes) {
        List<String> ids = new ArrayList<>();
        for (FuzzCase c : cases) {
            Response response = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD).header("X-Roster-Client", "test")
                    .multiPart("file", c.fileName(), c.bytes(), "text/csv")
                    .multiPart("operation", c.operation())
                    .multiPart("matchBy", c.matchBy())
                    .post("/api/batches");
            int status = response.statusCode();
            if (status == 202) {
                ids.add(response.jsonPath().getString("id"));
                continue;
            }
            ids.add(null);
            if (status != 400 && status != 413) {
                throw new AssertionError("HTTP " + status + " for " + c.where() + ": " + response.asString());
            }
            outcomes[status == 400 ? 2 : 3]++;
            assertNamesFileAndProblem(c, response.jsonPath().getString("error"));
        }
        for (int i = 0; i < cases.size(); i++) {
            if (ids.get(i) == null) {
                continue;
            }
            FuzzCase c = cases.get(i);
            JsonPath batch = awaitOutcome(ids.get(i), c);
            switch (batch.getString("status")) {
                case "PLANNED" -> outcomes[0]++;
                case "REJECTED" -> {
                    outcomes[1]++;
                    assertNamesFileAndProblem(c, batch.getString("error"));
                }
                default -> throw new AssertionError("batch ended " + batch.getString("status") + " for " + c.where()
                        + ": " + batch.prettify());
            }
        }
    }

    private static void assertNamesFileAndProblem(FuzzCase c, String error) {
        if (error == null || !error.startsWith(c.fileName()) || error.length() < c.fileName().length() + 12
                || error.contains("internal error") || error.contains("reference ")) {
            throw new AssertionError("refusal does not name the file and the problem for " + c.where() + ": " + error);
        }
    }

    private static JsonPath awaitOutcome(String id, FuzzCase c) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            JsonPath batch = given().auth().preemptive().basic(Browser.BOOTSTRAP_EMAIL, Browser.BOOTSTRAP_PASSWORD)
                    .get("/api/batches/" + id).then().statusCode(200).extract().jsonPath();
            if (!"PLANNING".equals(batch.getString("status"))) {
                return batch;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("batch " + id + " still PLANNING after 60 s for " + c.where());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static FuzzCase generate(long seed, int run) {
        Random random = new Random(seed * 1_000_003L + run);
        String operation = OPERATIONS[random.nextInt(OPERATIONS.length)];
        String matchBy = random.nextInt(5) == 0 ? "external_id" : "email";
        String fileName = "fuzz-" + seed + "-" + run + (random.nextInt(6) == 0 ? ".txt" : ".csv");
        StringBuilder recipe = new StringBuilder();
        byte[] bytes;
        if (random.nextInt(5) == 0) {
            bytes = randomBytes(random, recipe);
        } else {
            bytes = validFile(random, operation, recipe);
            int mutations = 1 + random.nextInt(4);
            for (int i = 0; i < mutations; i++) {
                bytes = mutate(random, bytes, recipe);
            }
        }
        return new FuzzCase(seed, run, fileName, operation, matchBy, recipe.toString(), bytes);
    }

    private static byte[] randomBytes(Random random, StringBuilder recipe) {
        int length = random.nextInt(3) == 0 ? random.nextInt(16) : random.nextInt(8192);
        byte[] bytes = new byte[length];
        if (random.nextBoolean()) {
            random.nextBytes(bytes);
            recipe.append("random bytes");
        } else {
            // Mostly CSV-ish characters: the reader's paths, not only its binary detection.
            String alphabet = "abc,;\t|\"\r\n @.=+-é😀\0";
            StringBuilder text = new StringBuilder(length);
            random.ints(length, 0, alphabet.length()).forEach(i -> text.append(alphabet.charAt(i)));
            bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            recipe.append("random CSV characters");
        }
        return bytes;
    }

    /** A file that plans cleanly as generated: a corpus file that plans, or generated rows for the operation. */
    private static byte[] validFile(Random random, String operation, StringBuilder recipe) {
        if (random.nextInt(3) == 0) {
            String file = PLANNED_CORPUS.get(random.nextInt(PLANNED_CORPUS.size()));
            recipe.append("corpus ").append(file);
            return CorpusTest.bytes(file);
        }
        int rows = random.nextInt(40) + 1;
        String header = switch (operation) {
            case "onboard" -> "email,given_name,family_name,department,external_id,attr.team";
            case "update" -> "email,department,title,phone";
            case "delete", "reset" -> "email,external_id,reason";
            default -> "action,email,given_name,family_name,department";
        };
        StringBuilder csv = new StringBuilder(header).append(random.nextBoolean() ? "\r\n" : "\n");
        for (int i = 0; i < rows; i++) {
            String email = "fz" + Long.toHexString(random.nextLong()) + "@example.org";
            String name = csvCell(NAMES[random.nextInt(NAMES.length)]);
            String other = csvCell(NAMES[random.nextInt(NAMES.length)]);
            csv.append(switch (operation) {
                case "onboard" -> email + "," + name + "," + other + ",Sales,E-" + random.nextInt(1_000_000) + ",blue";
                case "update" -> email + ",Legal,Boss,+1 555 0100";
                case "delete", "reset" -> email + ",E-" + random.nextInt(1_000_000) + ",left";
                default -> new String[] { "create", "update", "delete", "reset", "upsert" }[random.nextInt(5)] + "," + email
                        + "," + name + "," + other + ",Ops";
            }).append('\n');
        }
        recipe.append("generated ").append(rows).append(" rows");
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String csvCell(String value) {
        return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    private static byte[] mutate(Random random, byte[] bytes, StringBuilder recipe) {
        int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
        int kind = random.nextInt(11);
        switch (kind) {
            case 0 -> {
                byte[] copy = bytes.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips && copy.length > 0; i++) {
                    copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
                }
                recipe.append(", ").append(flips).append(" bit flips");
                return copy;
            }
            case 1 -> {
                recipe.append(", truncated at ").append(at);
                return Arrays.copyOf(bytes, at);
            }
            case 2 -> {
                recipe.append(", quote at ").append(at);
                return insert(bytes, at, "\"".getBytes(StandardCharsets.US_ASCII));
            }
            case 3 -> {
                String delimiter = new String[] { ",", ";", "\t", "|" }[random.nextInt(4)];
                recipe.append(", delimiter ").append(delimiter.equals("\t") ? "TAB" : delimiter).append(" at ").append(at);
                return insert(bytes, at, delimiter.getBytes(StandardCharsets.US_ASCII));
            }
            case 4 -> {
                recipe.append(", NUL at ").append(at);
                return insert(bytes, at, new byte[] { 0 });
            }
            case 5 -> {
                byte[][] boms = { { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF }, { (byte) 0xFF, (byte) 0xFE }, { (byte) 0xFE, (byte) 0xFF } };
                int which = random.nextInt(boms.length);
                int where = random.nextBoolean() ? 0 : at;
                recipe.append(", BOM ").append(which).append(" at ").append(where);
                return insert(bytes, where, boms[which]);
            }
            case 6 -> {
                Charset[] charsets = { StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16,
                        StandardCharsets.ISO_8859_1, Charset.forName("windows-1252") };
                Charset to = charsets[random.nextInt(charsets.length)];
                recipe.append(", re-encoded as ").append(to.name());
                return new String(bytes, StandardCharsets.UTF_8).getBytes(to);
            }
            case 7 -> {
                recipe.append(", line break at ").append(at);
                return insert(bytes, at, (random.nextBoolean() ? "\r" : "\n").getBytes(StandardCharsets.US_ASCII));
            }
            case 8 -> {
                // A run of the same chunk, as a broken export or a stuck key would make.
                int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
                byte[] chunk = Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + 1 + random.nextInt(64)));
                int times = 1 + random.nextInt(200);
                ByteArrayOutputStream repeated = new ByteArrayOutputStream();
                for (int i = 0; i < times; i++) {
                    repeated.writeBytes(chunk);
                }
                recipe.append(", ").append(chunk.length).append(" bytes repeated ").append(times).append("x at ").append(at);
                return insert(bytes, at, repeated.toByteArray());
            }
            case 9 -> {
                byte[] invalid = { (byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0x80 };
                recipe.append(", invalid UTF-8 at ").append(at);
                return insert(bytes, at, Arrays.copyOf(invalid, 1 + random.nextInt(invalid.length)));
            }
            default -> {
                String[] headers = { "email", "password", "emial", "action", "attr.", "given_name", "\"" };
                String header = headers[random.nextInt(headers.length)];
                recipe.append(", header cell ").append(header);
                int firstBreak = indexOf(bytes, (byte) '\n');
                return insert(bytes, firstBreak < 0 ? bytes.length : firstBreak, ("," + header).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] insert(byte[] bytes, int at, byte[] inserted) {
        byte[] out = new byte[bytes.length + inserted.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(bytes, at, out, at + inserted.length, bytes.length - at);
        return out;
    }

    private static List<String> corpusFilesThatPlan() {
        try {
            return CorpusTest.cases().filter(c -> c.outcome().equals("planned")).map(CorpusTest.Case::file).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
