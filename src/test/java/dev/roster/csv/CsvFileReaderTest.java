package dev.roster.csv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvFileReaderTest {

    static final CsvLimits LIMITS = CsvLimits.defaults();

    static List<CsvRecord> readAll(byte[] bytes) {
        return readAll(bytes, LIMITS);
    }

    static List<CsvRecord> readAll(byte[] bytes, CsvLimits limits) {
        try (CsvFileReader reader = CsvFileReader.open(new ByteArrayInputStream(bytes), "people.csv", limits)) {
            List<CsvRecord> out = new ArrayList<>();
            reader.forEachRemaining(out::add);
            return out;
        }
    }

    static CsvFileReader open(String text) {
        return CsvFileReader.open(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "people.csv", LIMITS);
    }

    static CsvRefusedException refused(byte[] bytes) {
        return refused(bytes, LIMITS);
    }

    static CsvRefusedException refused(byte[] bytes, CsvLimits limits) {
        return assertThrows(CsvRefusedException.class, () -> readAll(bytes, limits));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    // --- encodings

    @Test
    void readsUtf8WithoutBom() {
        try (CsvFileReader reader = open("email,given_name\nzoë@example.org,Zoë\n")) {
            assertEquals(StandardCharsets.UTF_8, reader.charset());
            assertEquals(List.of("zoë@example.org", "Zoë"), reader.next().cells());
            assertTrue(reader.warnings().isEmpty());
        }
    }

    @Test
    void readsUtf8WithBomAndDropsIt() {
        byte[] bytes = concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("email,given_name\na@x.org,Zoë\n"));
        try (CsvFileReader reader = CsvFileReader.open(new ByteArrayInputStream(bytes), "people.csv", LIMITS)) {
            assertEquals(List.of("email", "given_name"), reader.header().canonicalNames());
            assertEquals("Zoë", reader.next().cells().get(1));
            assertEquals(StandardCharsets.UTF_8, reader.charset());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTF-16LE", "UTF-16BE"})
    void readsUtf16WithBomAsExcelUnicodeText(String charsetName) {
        Charset charset = Charset.forName(charsetName);
        byte[] bom = charsetName.endsWith("LE") ? new byte[]{(byte) 0xFF, (byte) 0xFE} : new byte[]{(byte) 0xFE, (byte) 0xFF};
        byte[] bytes = concat(bom, "E-mail\tFirst Name\r\nmüller@example.de\tJürgen\r\n".getBytes(charset));
        try (CsvFileReader reader = CsvFileReader.open(new ByteArrayInputStream(bytes), "people.txt", LIMITS)) {
            assertEquals(charset, reader.charset());
            assertEquals('\t', reader.delimiter());
            assertEquals(List.of("email", "given_name"), reader.header().canonicalNames());
            CsvRecord record = reader.next();
            assertEquals(2, record.line());
            assertEquals(List.of("müller@example.de", "Jürgen"), record.cells());
        }
    }

    @Test
    void fallsBackToWindows1252WithAWarning() {
        byte[] bytes = "email;given_name\r\nm@x.de;J\u00fcrgen \u20ac\r\n".getBytes(Charset.forName("windows-1252"));
        try (CsvFileReader reader = CsvFileReader.open(new ByteArrayInputStream(bytes), "people.csv", LIMITS)) {
            assertEquals("windows-1252", reader.charset().name());
            assertEquals("Jürgen €", reader.next().cells().get(1));
            assertEquals(1, reader.warnings().size());
            assertTrue(reader.warnings().get(0).contains("Windows-1252"), reader.warnings().get(0));
        }
    }

    @Test
    void refusesInvalidUtf8AfterTheSniffedPrefixNamingTheLine() {
        StringBuilder text = new StringBuilder("email,given_name\n");
        int lines = 0;
        while (text.length() < 70_000) {
            text.append("user").append(lines++).append("@example.org,Name\n");
        }
        byte[] bytes = concat(utf8(text.toString()), utf8("bad@example.org,M"), new byte[]{(byte) 0xFC}, utf8("ller\n"));
        CsvRefusedException e = refused(bytes);
        assertEquals(lines + 2L, e.line());
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void refusesUtf16WithoutBom() {
        CsvRefusedException e = refused("email,given_name\na@x.org,A\n".getBytes(StandardCharsets.UTF_16LE));
        assertTrue(e.getMessage().contains("UTF-16"), e.getMessage());
        assertNull(e.line());
    }

    @Test
    void refusesNulBytesInThePrefix() {
        CsvRefusedException e = refused(concat(utf8("email,given_name\na@x.org,A"), new byte[]{0}, utf8("\nb@x.org,B\n")));
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "89504E470D0A1A0A0000000D49484452|a PNG image",
            "504B0304140006000800|a ZIP archive (an .xlsx workbook?)",
            "1F8B0800000000000003|gzip",
            "255044462D312E370A|a PDF document",
            "FFD8FFE000104A464946|a JPEG image",
            "D0CF11E0A1B11AE10000|.xls",
    })
    void refusesBinaryFilesSayingWhatTheyLookLike(String hex, String expected) {
        byte[] bytes = java.util.HexFormat.of().parseHex(hex);
        CsvRefusedException e = refused(bytes);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("not a CSV file"), e.getMessage());
        assertTrue(e.getMessage().contains("CSV UTF-8"), e.getMessage());
    }

    @Test
    void refusesAnEmptyFile() {
        assertTrue(refused(new byte[0]).getMessage().contains("empty"));
        assertTrue(refused(utf8("\n\n  \n")).getMessage().contains("no header"));
    }

    // --- delimiters, quoting, line endings

    @ParameterizedTest
    @ValueSource(chars = {',', ';', '\t', '|'})
    void detectsEachDelimiterFromTheHeader(char delimiter) {
        String d = String.valueOf(delimiter);
        try (CsvFileReader reader = open("email" + d + "given_name" + d + "family_name\na@x.org" + d + "\"A, B\"" + d + "C\n")) {
            assertEquals(delimiter, reader.delimiter());
            List<String> cells = reader.next().cells();
            assertEquals(3, cells.size());
            assertEquals("A, B", cells.get(1));
        }
    }

    @Test
    void refusesAHeaderThatMixesDelimitersEqually() {
        CsvRefusedException e = refused(utf8("email;given_name,family_name\n"));
        assertTrue(e.getMessage().contains("both"), e.getMessage());
        assertEquals(1L, e.line());
    }

    @Test
    void followsRfc4180Quoting() {
        List<CsvRecord> records = readAll(utf8(
                "email,display_name,title\n"
                        + "a@x.org,\"Doe, Jane\",\"The \"\"Boss\"\"\"\n"
                        + "b@x.org,\"two\nlines\",t\n"
                        + "c@x.org,C,t\n"));
        assertEquals(List.of("a@x.org", "Doe, Jane", "The \"Boss\""), records.get(0).cells());
        assertEquals("two\nlines", records.get(1).cells().get(1));
        assertEquals(List.of(2L, 3L, 5L), records.stream().map(CsvRecord::line).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void countsPhysicalLinesForEachLineEnding(String eol) {
        String text = String.join(eol, "email,display_name", "", "a@x.org,\"x" + eol + "y\"", "b@x.org,B", "", "", "c@x.org,C", "");
        List<CsvRecord> records = readAll(utf8(text));
        assertEquals(List.of(3L, 5L, 8L), records.stream().map(CsvRecord::line).toList());
        assertEquals("x\ny", records.get(0).cells().get(1));
        assertEquals("C", records.get(2).cells().get(1));
    }

    @Test
    void skipsBlankAndWhitespaceOnlyAndEmptyCellLines() {
        List<CsvRecord> records = readAll(utf8("\n\nemail,display_name\n\n , \n,\na@x.org,A\n"));
        assertEquals(1, records.size());
        assertEquals(7L, records.get(0).line());
    }

    @Test
    void headerLineIsReportedWhenBlankLinesComeFirst() {
        try (CsvFileReader reader = open("\n\nemail\na@x.org\n")) {
            assertEquals(3L, reader.headerLine());
            assertEquals(4L, reader.next().line());
        }
    }

    @Test
    void refusesAnUnbalancedQuoteNamingTheLineWhereItStarts() {
        CsvRefusedException e = refused(utf8("email,display_name\na@x.org,A\nb@x.org,\"B\nc@x.org,C\n"));
        assertEquals(3L, e.line());
        assertTrue(e.getMessage().contains("quote"), e.getMessage());
    }

    @Test
    void refusesAnUnbalancedQuoteThatWouldSwallowALongFile() {
        StringBuilder text = new StringBuilder("email,display_name\nb@x.org,\"B\n");
        for (int i = 0; i < 2000; i++) {
            text.append("u").append(i).append("@x.org,U\n");
        }
        CsvRefusedException e = refused(utf8(text.toString()));
        assertEquals(2L, e.line());
        assertTrue(e.getMessage().contains("1,000 lines"), e.getMessage());
    }

    // --- header

    @Test
    void mapsAliasesIgnoringCaseSpacesUnderscoresAndHyphens() {
        try (CsvFileReader reader = open("E-mail,First Name,SURNAME,Full_Name,Mobile,Employee ID,Job Title,Language,attr.costCenter,Given-Name2\n")) {
            fail();
        } catch (CsvRefusedException e) {
            assertTrue(e.getMessage().contains("unknown column \"Given-Name2\""), e.getMessage());
        }
        try (CsvFileReader reader = open("E-mail,First Name,SURNAME,Full_Name,Mobile,Employee ID,Job Title,Language,attr.costCenter,Email Address2\n")) {
            fail();
        } catch (CsvRefusedException e) {
            assertTrue(e.getMessage().contains("did you mean \"email\"?"), e.getMessage());
        }
        try (CsvFileReader reader = open("E-mail,First Name,SURNAME,Full_Name,Phone Number,Employee ID,Job Title,Language,attr.costCenter,Family Name ,Mail\n")) {
            fail();
        } catch (CsvRefusedException e) {
            assertTrue(e.getMessage().contains("duplicate column"), e.getMessage());
        }
        try (CsvFileReader reader = open("E-mail,First Name,SURNAME,Full_Name,Mobile,Employee ID,Job Title,Language,attr.costCenter,Username,Department\n")) {
            assertEquals(List.of("email", "given_name", "family_name", "display_name", "phone", "external_id", "title",
                    "locale", "attr.costCenter", "username", "department"), reader.header().canonicalNames());
            assertEquals("E-mail", reader.header().originalNames().get(0));
        }
    }

    private static void fail() {
        org.junit.jupiter.api.Assertions.fail("expected a refusal");
    }

    @Test
    void unknownColumnSuggestsTheClosestName() {
        CsvRefusedException e = refused(utf8("emial,given_name\n"));
        assertTrue(e.getMessage().startsWith("people.csv, line 1, column \"emial\": unknown column \"emial\" (did you mean \"email\"?)"), e.getMessage());
        assertEquals("emial", e.column());
        assertEquals(1L, e.line());
        assertTrue(refused(utf8("email,frist name\n")).getMessage().contains("(did you mean \"given_name\"?)"));
        assertTrue(refused(utf8("email,attr_costCenter\n")).getMessage().contains("(did you mean \"attr.costCenter\"?)"));
        CsvRefusedException far = refused(utf8("email,shoe size\n"));
        assertFalse(far.getMessage().contains("did you mean"), far.getMessage());
        assertTrue(far.getMessage().contains("Known columns"), far.getMessage());
    }

    @Test
    void attributeColumnsKeepCaseAndRejectBadNames() {
        try (CsvFileReader reader = open("email,attr.costCenter,ATTR.floor-2,attr.a.b_c\n")) {
            assertEquals(List.of("email", "attr.costCenter", "attr.floor-2", "attr.a.b_c"), reader.header().canonicalNames());
        }
        CsvRefusedException e = refused(utf8("email,attr.cost center\n"));
        assertTrue(e.getMessage().contains("custom attribute name"), e.getMessage());
        assertTrue(refused(utf8("email,attr.x,attr.x\n")).getMessage().contains("duplicate column"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"password", "Password", "PASSWD", "pwd", "Passwort", "initial_password", "attr.password"})
    void refusesPlaintextPasswordColumnsWithTheReason(String column) {
        CsvRefusedException e = refused(utf8("email," + column + "\n"));
        assertTrue(e.getMessage().contains("plaintext passwords are not accepted"), e.getMessage());
        assertTrue(e.getMessage().contains("set their own password"), e.getMessage());
        assertEquals(column, e.column());
    }

    @Test
    void dropsEmptyTrailingHeaderNamesButRefusesEmptyOnesInside() {
        try (CsvFileReader reader = open("email;given_name;;\na@x.org;A;;\n")) {
            assertEquals(2, reader.header().size());
        }
        CsvRefusedException e = refused(utf8("email,,given_name\n"));
        assertTrue(e.getMessage().contains("column 2 of the header has no name"), e.getMessage());
    }

    // --- limits

    @Test
    void refusesAFileOverTheByteLimitNamingLimitAndLine() {
        StringBuilder text = new StringBuilder("email\n");
        for (int i = 0; i < 500; i++) {
            text.append("user").append(i).append("@example.org\n");
        }
        byte[] bytes = utf8(text.toString());
        CsvRefusedException e = refused(bytes, LIMITS.withMaxBytes(2048));
        assertTrue(e.getMessage().contains("2,048 bytes (2 KB)"), e.getMessage());
        // the line holding byte 2049
        long expectedLine = 1 + text.substring(0, new String(bytes, 0, 2048, StandardCharsets.UTF_8).length()).chars().filter(c -> c == '\n').count();
        assertEquals(expectedLine, e.line());
        assertEquals(7L, refused(bytes, LIMITS.withMaxBytes(100)).line()); // 6 + 5 * 18 bytes end line 6
    }

    @Test
    void refusesTooManyRows() {
        CsvRefusedException e = refused(utf8("email\na@x.org\nb@x.org\n\nc@x.org\n"), LIMITS.withMaxRows(2));
        assertEquals(5L, e.line());
        assertTrue(e.getMessage().contains("more than the limit of 2 rows"), e.getMessage());
        assertEquals(2, readAll(utf8("email\na@x.org\nb@x.org\n"), LIMITS.withMaxRows(2)).size());
    }

    @Test
    void refusesALongCellNamingLineAndColumn() {
        String longName = "x".repeat(4097);
        CsvRefusedException e = refused(utf8("email,Given Name\na@x.org,A\nb@x.org," + longName + "\n"));
        assertEquals(3L, e.line());
        assertEquals("Given Name", e.column());
        assertTrue(e.getMessage().contains("4,096"), e.getMessage());
    }

    @Test
    void refusesTooManyColumns() {
        StringBuilder header = new StringBuilder("email");
        for (int i = 0; i < 200; i++) {
            header.append(",attr.a").append(i);
        }
        CsvRefusedException e = refused(utf8(header + "\n"));
        assertTrue(e.getMessage().contains("201 columns, more than the limit of 200"), e.getMessage());
        CsvRefusedException row = refused(utf8("email\na@x.org" + ",".repeat(250) + "x\n"));
        assertEquals(2L, row.line());
    }

    @Test
    void refusesATenMegabyteSingleLineWithoutReadingItIntoMemory() {
        byte[] line = new byte[10 * 1024 * 1024];
        Arrays.fill(line, (byte) 'a');
        CsvRefusedException e = refused(concat(utf8("email\n"), line, utf8("\n")));
        assertEquals(2L, e.line());
        assertTrue(e.getMessage().contains("1,048,576 characters"), e.getMessage());
    }

    @Test
    void refusesALongRecordEvenWhenSpreadOverManyShortLines() {
        StringBuilder text = new StringBuilder("email,display_name\na@x.org,\"");
        for (int i = 0; i < 900; i++) {
            text.append("y".repeat(2000)).append('\n');
        }
        CsvRefusedException e = refused(utf8(text.toString()));
        assertEquals(2L, e.line());
    }

    @Test
    void streamsAMillionRowsWithoutHoldingThem() {
        // a generated stream: nothing is kept, so this also runs under -Xmx512m
        InputStream rows = new InputStream() {
            final byte[] header = utf8("email,given_name,family_name\n");
            long row = -1;
            byte[] current = header;
            int pos;

            @Override
            public int read() {
                if (pos == current.length) {
                    if (++row >= 1_000_000) {
                        return -1;
                    }
                    current = utf8("user" + row + "@example.org,Given,Family\n");
                    pos = 0;
                }
                return current[pos++] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int n = 0;
                while (n < len) {
                    int c = read();
                    if (c < 0) {
                        return n == 0 ? -1 : n;
                    }
                    b[off + n++] = (byte) c;
                }
                return n;
            }
        };
        long count = 0;
        long lastLine = 0;
        try (CsvFileReader reader = CsvFileReader.open(rows, "big.csv", LIMITS)) {
            while (reader.hasNext()) {
                lastLine = reader.next().line();
                count++;
            }
            assertTrue(reader.bytesRead() > 30_000_000);
        }
        assertEquals(1_000_000, count);
        assertEquals(1_000_001, lastLine);
    }
}
