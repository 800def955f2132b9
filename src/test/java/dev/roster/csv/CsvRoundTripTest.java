package dev.roster.csv;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random tables written as RFC 4180 CSV, in every supported encoding, delimiter and line ending, read back cell for
 * cell and with the right start lines. Seeded, so a failure names the seed that reproduces it.
 */
class CsvRoundTripTest {

    private static final String[] TOKENS = {"a", "b", " ", ",", ";", "\t", "|", "\"", "\r", "\n", "\r\n", "Ä", "€",
            "\uD83D\uDE00", "ل", "中", "=", "x", "#clear"};
    private static final char[] DELIMITERS = {',', ';', '\t', '|'};
    private static final String[] LINE_ENDINGS = {"\n", "\r\n", "\r"};
    private static final String[] ENCODINGS = {"UTF-8", "UTF-8 BOM", "UTF-16LE", "UTF-16BE"};

    @Test
    void randomTablesReadBackWithTheirStartLines() {
        for (long seed = 1; seed <= 400; seed++) {
            roundTrip(new Random(seed), "seed " + seed);
        }
    }

    private static void roundTrip(Random random, String seed) {
        int columns = 2 + random.nextInt(4);
        char delimiter = DELIMITERS[random.nextInt(DELIMITERS.length)];
        String eol = LINE_ENDINGS[random.nextInt(LINE_ENDINGS.length)];
        String encoding = ENCODINGS[random.nextInt(ENCODINGS.length)];
        List<List<String>> rows = new ArrayList<>();
        for (int r = 1 + random.nextInt(12); r > 0; r--) {
            List<String> row = new ArrayList<>();
            row.add("u" + cell(random)); // never blank, so no row is skipped as a blank line
            for (int c = 1; c < columns; c++) {
                row.add(cell(random));
            }
            rows.add(row);
        }

        List<String> header = new ArrayList<>(List.of("email"));
        for (int i = 1; i < columns; i++) {
            header.add("attr.c" + i);
        }
        StringBuilder text = new StringBuilder(String.join(String.valueOf(delimiter), header)).append(eol);
        List<Long> expectedLines = new ArrayList<>();
        long line = 2;
        for (List<String> row : rows) {
            expectedLines.add(line);
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) {
                    text.append(delimiter);
                }
                text.append(quote(row.get(i), delimiter));
                line += normalise(row.get(i)).chars().filter(c -> c == '\n').count();
            }
            text.append(eol);
            line++;
        }

        List<CsvRecord> records = CsvFileReaderTest.readAll(encode(text.toString(), encoding));

        String context = seed + ", " + encoding + ", delimiter " + (int) delimiter + ", eol " + eol.length();
        assertEquals(rows.size(), records.size(), context);
        for (int r = 0; r < rows.size(); r++) {
            assertEquals(rows.get(r).stream().map(CsvRoundTripTest::normalise).toList(), records.get(r).cells(), context);
            assertEquals(expectedLines.get(r), records.get(r).line(), context);
        }
    }

    private static String cell(Random random) {
        StringBuilder cell = new StringBuilder();
        for (int n = random.nextInt(9); n > 0; n--) {
            cell.append(TOKENS[random.nextInt(TOKENS.length)]);
        }
        return cell.toString();
    }

    private static String quote(String cell, char delimiter) {
        boolean needsQuotes = cell.indexOf(delimiter) >= 0 || cell.contains("\"") || cell.contains("\n") || cell.contains("\r");
        return needsQuotes ? '"' + cell.replace("\"", "\"\"") + '"' : cell;
    }

    /** The reader turns CRLF and lone CR inside cells into LF. */
    private static String normalise(String cell) {
        return cell.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static byte[] encode(String text, String encoding) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (encoding) {
            case "UTF-8" -> out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            case "UTF-8 BOM" -> {
                out.writeBytes(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            }
            default -> {
                Charset charset = Charset.forName(encoding);
                out.writeBytes(encoding.endsWith("LE") ? new byte[]{(byte) 0xFF, (byte) 0xFE} : new byte[]{(byte) 0xFE, (byte) 0xFF});
                out.writeBytes(text.getBytes(charset));
            }
        }
        return out.toByteArray();
    }
}
