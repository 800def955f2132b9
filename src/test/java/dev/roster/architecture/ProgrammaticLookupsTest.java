package dev.roster.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * A bean that production code only looks up programmatically ({@code Arc.container().instance(X.class)}, e.g. from a
 * Quartz job) is removed from the packaged app as unused unless it is {@code @Unremovable} or injected somewhere in
 * the main code; a test that injects it keeps it in the tests alone, so only the packaged app fails (the soak found
 * the dated-changes job failing so, issue #27). Plain JUnit over the main sources, no Quarkus boot.
 */
class ProgrammaticLookupsTest {

    static final Path MAIN = Path.of("src/main/java");
    static final Pattern LOOKUP = Pattern.compile("(?:Arc\\.container\\(\\)\\s*\\.\\s*instance|CDI\\.current\\(\\)\\s*\\.\\s*select)"
            + "\\(\\s*(\\w+)\\.class");

    @Test
    void everyBeanLookedUpProgrammaticallyIsKeptInThePackagedApp() throws IOException {
        Map<Path, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                sources.put(p, Files.readString(p));
            }
        }
        List<String> lookups = new ArrayList<>();
        List<String> removable = new ArrayList<>();
        sources.forEach((file, text) -> {
            Matcher m = LOOKUP.matcher(text);
            while (m.find()) {
                String type = m.group(1);
                lookups.add(type);
                if (!kept(type, sources)) {
                    removable.add(type + " (looked up in " + MAIN.relativize(file) + ")");
                }
            }
        });
        assertTrue(lookups.size() >= 4, "the scan finds the known lookups (Quartz jobs, CurrentOperator): " + lookups);
        assertEquals(List.of(), removable, "mark these beans @io.quarkus.arc.Unremovable, or inject them in main code");
    }

    /** The class carries @Unremovable, or a main class injects it (a field, or an Instance of it). */
    static boolean kept(String type, Map<Path, String> sources) {
        Pattern declared = Pattern.compile("@Unremovable[\\s\\S]{0,400}?\\b(?:class|interface|record)\\s+" + type + "\\b");
        Pattern injected = Pattern.compile("@Inject\\s+(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:private|protected|public|final)\\s+)*"
                + "(?:[\\w.]+\\.)?" + type + "\\s+\\w+\\s*;|Instance<" + type + ">");
        return sources.values().stream().anyMatch(s -> declared.matcher(s).find() || injected.matcher(s).find());
    }
}
