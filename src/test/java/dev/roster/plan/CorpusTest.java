package dev.roster.plan;

import com.opencsv.CSVReader;
import dev.roster.csv.CsvLimits;
import dev.roster.csv.CsvRefusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs every file of src/test/resources/corpus through the planner and checks the outcome its manifest names. */
public class CorpusTest {

    /** One line of corpus/manifest.csv. */
    public record Case(String file, Operation operation, MatchKey matchBy, String outcome, Long line, String expect) {
        @Override
        public String toString() {
            return file;
        }
    }

    public static Stream<Case> cases() throws IOException {
        try (CSVReader reader = new CSVReader(new InputStreamReader(resource("manifest.csv"), StandardCharsets.UTF_8))) {
            List<Case> cases = new ArrayList<>();
            reader.readNextSilently(); // header
            String[] row;
            while ((row = reader.readNextSilently()) != null) {
                if (row.length < 6) {
                    continue;
                }
                cases.add(new Case(row[0], Operation.parse(row[1]), MatchKey.valueOf(row[2].toUpperCase()), row[3],
                        row[4].isBlank() ? null : Long.parseLong(row[4]), row[5]));
            }
            return cases.stream();
        }
    }

    static FakeDirectory directory() {
        FakeDirectory directory = new FakeDirectory();
        directory.add(new UserSnapshot(UUID.nameUUIDFromBytes("existing".getBytes()), "existing@example.org", "E-100", null,
                "Existing", "User", null, null, "Sales", "Engineer", null, UserStatus.ACTIVE, Map.of("costCenter", "CC-1"), 3));
        directory.add("existing2@example.org", "E-101", UserStatus.ACTIVE);
        directory.add("deleted@example.org", "E-102", UserStatus.DELETED);
        directory.add("suspended@example.org", "E-103", UserStatus.SUSPENDED);
        return directory;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void corpusFile(Case c) {
        byte[] bytes = bytes(c.file());
        List<PlannedChange> changes = new ArrayList<>();
        Planner planner = new Planner(c.operation(), c.matchBy(), directory());
        String fileName = c.file().substring(c.file().lastIndexOf('/') + 1);
        if (c.outcome().equals("refused")) {
            CsvRefusedException e = assertThrows(CsvRefusedException.class, () -> planner.plan(
                    () -> new ByteArrayInputStream(bytes), fileName, CsvLimits.defaults(), changes::add));
            assertTrue(e.getMessage().contains(c.expect()), e.getMessage());
            assertTrue(e.getMessage().startsWith(fileName + (c.line() == null ? ": " : ", line " + c.line())), e.getMessage());
            assertEquals(c.line(), e.line(), e.getMessage());
            assertTrue(changes.isEmpty());
            return;
        }
        assertEquals("planned", c.outcome());
        PlanResult result = planner.plan(() -> new ByteArrayInputStream(bytes), fileName, CsvLimits.defaults(), changes::add);
        Map<ChangeKind, Long> expectedCounts = new EnumMap<>(ChangeKind.class);
        for (ChangeKind kind : ChangeKind.values()) {
            expectedCounts.put(kind, 0L);
        }
        for (String part : c.expect().split(" ")) {
            String[] kv = part.split("=");
            switch (kv[0]) {
                case "WARNING" -> assertEquals(Long.parseLong(kv[1]), result.warnings(), "warnings " + describe(changes));
                case "fileWarnings" -> assertEquals(Integer.parseInt(kv[1]), result.fileWarnings().size(), result.fileWarnings().toString());
                case "lines" -> assertEquals(Arrays.stream(kv[1].split(";")).map(Long::valueOf).toList(),
                        changes.stream().map(PlannedChange::line).toList());
                default -> expectedCounts.put(ChangeKind.valueOf(kv[0]), Long.parseLong(kv[1]));
            }
        }
        assertEquals(expectedCounts, new EnumMap<>(result.counts()), describe(changes));
        assertEquals(changes.size(), result.rows());
        for (PlannedChange change : changes) {
            boolean hasError = !change.messages(Severity.ERROR).isEmpty();
            assertEquals(change.kind() == ChangeKind.ERROR, hasError, change.toString());
        }
    }

    @Test
    void manifestNamesEveryCorpusFileAndAtLeastThirty() throws IOException, URISyntaxException {
        Path dir = Path.of(CorpusTest.class.getResource("/corpus/manifest.csv").toURI()).getParent();
        Set<String> listed = cases().map(Case::file).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> missing = files.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals("manifest.csv") && !listed.contains(name)).toList();
            assertEquals(List.of(), missing);
        }
        assertTrue(listed.size() >= 30, "corpus size " + listed.size());
    }

    private static String describe(List<PlannedChange> changes) {
        return changes.stream().map(c -> c.line() + " " + c.kind() + " " + c.messages()).collect(Collectors.joining("\n"));
    }

    /** Corpus bytes; "@generated/..." files are made here instead of being committed. */
    public static byte[] bytes(String file) {
        if (file.equals("@generated/ten-megabyte-line.csv")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes("email,given_name,family_name\n".getBytes(StandardCharsets.UTF_8));
            byte[] line = new byte[10 * 1024 * 1024];
            Arrays.fill(line, (byte) 'z');
            out.writeBytes(line);
            out.writeBytes(",x,y\n".getBytes(StandardCharsets.UTF_8));
            return out.toByteArray();
        }
        try (InputStream in = resource(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = CorpusTest.class.getResourceAsStream("/corpus/" + name);
        if (in == null) {
            throw new IllegalStateException("missing corpus file " + name);
        }
        return in;
    }
}
