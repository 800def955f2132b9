package dev.roster.csv;

import com.opencsv.CSVReader;
import com.opencsv.CSVReaderBuilder;
import com.opencsv.RFC4180ParserBuilder;
import com.opencsv.exceptions.CsvMalformedLineException;
import com.opencsv.exceptions.CsvMultilineLimitBrokenException;
import com.opencsv.exceptions.CsvValidationException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Streams the records of an uploaded CSV file: sniffs encoding and delimiter, checks the header and the limits,
 * and hands out one {@link CsvRecord} at a time (blank lines skipped). Refusals are {@link CsvRefusedException}s.
 */
public final class CsvFileReader implements AutoCloseable, Iterator<CsvRecord> {

    private final String fileName;
    private final CsvLimits limits;
    private final NormalisedTextReader text;
    private final CSVReader csv;
    private final Charset charset;
    private final char delimiter;
    private final List<String> warnings = new ArrayList<>();
    private CsvHeader header;
    private long headerLine;
    private long rows;
    private CsvRecord next;
    private boolean finished;

    private CsvFileReader(InputStream in, String fileName, CsvLimits limits) throws IOException {
        this.fileName = fileName;
        this.limits = limits;
        byte[] prefix = in.readNBytes(EncodingSniffer.PREFIX_BYTES);
        boolean moreFollows = prefix.length == EncodingSniffer.PREFIX_BYTES;
        SniffedEncoding encoding = EncodingSniffer.sniff(prefix, prefix.length, moreFollows, fileName);
        this.charset = encoding.charset();
        if (encoding.warning() != null) {
            warnings.add(encoding.warning());
        }
        int bom = encoding.bomLength();
        String prefixText = charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .decode(ByteBuffer.wrap(prefix, bom, prefix.length - bom)).toString();
        this.delimiter = DelimiterSniffer.detect(DelimiterSniffer.firstNonBlankLine(prefixText), fileName, 1);
        boolean strict = !charset.equals(EncodingSniffer.WINDOWS_1252);
        InputStream rest = new SequenceInputStream(new ByteArrayInputStream(prefix, bom, prefix.length - bom), in);
        this.text = new NormalisedTextReader(rest, charset, strict, bom, fileName, limits);
        this.csv = new CSVReaderBuilder(text)
                .withCSVParser(new RFC4180ParserBuilder().withSeparator(delimiter).build())
                .withMultilineLimit(limits.maxRecordLines())
                .build();
    }

    /**
     * Opens a file: sniffs the encoding and delimiter and reads and checks the header.
     *
     * @throws CsvRefusedException when the file cannot be used; the stream is closed then
     */
    public static CsvFileReader open(InputStream in, String fileName, CsvLimits limits) {
        CsvFileReader reader = null;
        try {
            reader = new CsvFileReader(in, fileName, limits);
            reader.readHeader();
            return reader;
        } catch (IOException e) {
            closeQuietly(in);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            if (reader != null) {
                reader.close();
            } else {
                closeQuietly(in);
            }
            throw e;
        }
    }

    private void readHeader() {
        CsvRecord first = readRecord();
        if (first == null) {
            throw new CsvRefusedException(fileName, null, null,
                    "the file has no header line (it holds only blank lines). The first line must name the columns, e.g. \"email,given_name,family_name\".");
        }
        headerLine = first.line();
        List<String> written = new ArrayList<>(first.cells());
        // Excel leaves empty names at the end when cells right of the table were once used
        while (!written.isEmpty() && written.get(written.size() - 1).isBlank()) {
            written.remove(written.size() - 1);
        }
        if (written.size() > limits.maxColumns()) {
            throw new CsvRefusedException(fileName, headerLine, null, String.format(Locale.ROOT,
                    "the header has %d columns, more than the limit of %d. Remove the columns Roster does not need.",
                    written.size(), limits.maxColumns()));
        }
        List<String> original = new ArrayList<>();
        List<String> canonical = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < written.size(); i++) {
            String name = written.get(i).replace("\uFEFF", "").strip();
            if (name.isEmpty()) {
                throw new CsvRefusedException(fileName, headerLine, null, "column " + (i + 1)
                        + " of the header has no name. Give it a name or delete the column.");
            }
            String canonicalName = ColumnNames.canonicalise(name, fileName, headerLine);
            String earlier = seen.putIfAbsent(canonicalName, name);
            if (earlier != null) {
                String both = earlier.equals(name) ? "appears twice" : "and column \"" + earlier + "\" both mean \"" + canonicalName + "\"";
                throw new CsvRefusedException(fileName, headerLine, name, "duplicate column: \"" + name + "\" " + both
                        + ". Keep only one of them.");
            }
            original.add(name);
            canonical.add(canonicalName);
        }
        header = new CsvHeader(original, canonical);
    }

    /** The next non-blank record, or null at the end of the file. */
    private CsvRecord readRecord() {
        while (true) {
            long start = csv.getLinesRead() + 1;
            text.startRecord(start);
            String[] cells;
            try {
                cells = csv.readNext();
            } catch (CsvMultilineLimitBrokenException e) {
                throw new CsvRefusedException(fileName, start, null, String.format(Locale.ROOT,
                        "the record starting on this line spans more than %,d lines, so a double quote is probably never "
                                + "closed. A cell that starts with \" must end with \", and a quote inside it must be doubled (\"\").",
                        limits.maxRecordLines()));
            } catch (CsvMalformedLineException e) {
                throw new CsvRefusedException(fileName, start, null, "a quoted cell on this line is not closed properly: "
                        + "the file ends inside quotes. A cell that starts with \" must end with \", and a quote inside it "
                        + "must be doubled (\"\").");
            } catch (CsvValidationException e) {
                throw new CsvRefusedException(fileName, start, null, "this line cannot be read: " + e.getMessage());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (cells == null) {
                return null;
            }
            if (isBlank(cells)) {
                continue;
            }
            return check(new CsvRecord(start, Arrays.asList(cells)));
        }
    }

    private CsvRecord check(CsvRecord record) {
        List<String> cells = record.cells();
        if (header != null && cells.size() > limits.maxColumns()) {
            throw new CsvRefusedException(fileName, record.line(), null, String.format(Locale.ROOT,
                    "this line has %d cells, more than the limit of %d columns. Check the separators on this line.",
                    cells.size(), limits.maxColumns()));
        }
        for (int i = 0; i < cells.size(); i++) {
            if (cells.get(i).length() > limits.maxCellChars() && !groupList(i)) {
                String column = header != null && i < header.size() ? header.originalNames().get(i) : null;
                throw new CsvRefusedException(fileName, record.line(), column, String.format(Locale.ROOT,
                        "a cell is %,d characters long, more than the limit of %,d. Shorten it.",
                        cells.get(i).length(), limits.maxCellChars()));
            }
        }
        return record;
    }

    /** A list of groups: the planner reports a cell over the limit as a row error (the record limit still holds). */
    private boolean groupList(int index) {
        return header != null && index < header.size() && ColumnNames.GROUP_LISTS.contains(header.canonicalNames().get(index));
    }

    private static boolean isBlank(String[] cells) {
        for (String cell : cells) {
            if (!cell.isBlank()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !finished) {
            next = readRecord();
            if (next == null) {
                finished = true;
            } else if (++rows > limits.maxRows()) {
                throw new CsvRefusedException(fileName, next.line(), null, String.format(Locale.ROOT,
                        "the file has more than the limit of %,d rows. Split it into smaller files.", limits.maxRows()));
            }
        }
        return next != null;
    }

    @Override
    public CsvRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        CsvRecord record = next;
        next = null;
        return record;
    }

    public String fileName() {
        return fileName;
    }

    public CsvHeader header() {
        return header;
    }

    /** Physical line of the header (1 unless blank lines come first). */
    public long headerLine() {
        return headerLine;
    }

    public Charset charset() {
        return charset;
    }

    public char delimiter() {
        return delimiter;
    }

    /** Messages about the whole file that do not stop it, such as an encoding guess. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Bytes consumed so far, including those buffered ahead of the current record. */
    public long bytesRead() {
        return text.bytesRead();
    }

    /** Data rows handed out so far. */
    public long rowsRead() {
        return rows;
    }

    @Override
    public void close() {
        try {
            csv.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the refusal matters more than a failed close
        }
    }
}
