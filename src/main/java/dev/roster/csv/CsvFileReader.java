package dev.roster.csv;

import com.opencsv.CSVParserBuilder;
import com.opencsv.CSVReader;
import com.opencsv.CSVReaderBuilder;
import com.opencsv.ICSVParser;
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
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
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
    private final HeaderRecognition.Choice choice;
    private CsvHeader header;
    private ColumnMapping mapping;
    private boolean rules;
    private long headerLine;
    private long rows;
    private CsvRecord next;
    private boolean finished;

    private CsvFileReader(InputStream in, String fileName, CsvLimits limits, HeaderRecognition.Choice choice)
            throws IOException {
        this.fileName = fileName;
        this.limits = limits;
        this.choice = choice;
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
        String firstLine = DelimiterSniffer.firstNonBlankLine(prefixText);
        if (firstLine.strip().regionMatches(true, 0, VendorTemplates.ENTRA_VERSION, 0, VendorTemplates.ENTRA_VERSION.length())) {
            // Entra's templates start with "version:v1.0" (",,,," after Excel): the header is the next line
            int end = prefixText.indexOf(firstLine) + firstLine.length();
            firstLine = DelimiterSniffer.firstNonBlankLine(prefixText.substring(Math.min(end, prefixText.length())));
        }
        this.delimiter = DelimiterSniffer.detect(firstLine, fileName, 1);
        boolean strict = !charset.equals(EncodingSniffer.WINDOWS_1252);
        InputStream rest = new SequenceInputStream(new ByteArrayInputStream(prefix, bom, prefix.length - bom), in);
        this.text = new NormalisedTextReader(rest, charset, strict, bom, fileName, limits);
        // AWS Cognito writes values unquoted and escapes a comma inside a value with a backslash
        ICSVParser parser = firstLine.contains("cognito:username")
                ? new CSVParserBuilder().withSeparator(delimiter).withEscapeChar('\\').withIgnoreQuotations(true).build()
                : new RFC4180ParserBuilder().withSeparator(delimiter).build();
        this.csv = new CSVReaderBuilder(text)
                .withCSVParser(parser)
                .withMultilineLimit(limits.maxRecordLines())
                .build();
    }

    /**
     * Opens a file: sniffs the encoding and delimiter and reads and checks the header.
     *
     * @throws CsvRefusedException when the file cannot be used; the stream is closed then
     */
    public static CsvFileReader open(InputStream in, String fileName, CsvLimits limits) {
        return open(in, fileName, limits, null);
    }

    /**
     * Opens a file whose header is read through a chosen mapping (a profile, or one confirmed on the mapping page);
     * null reads it as Roster's format or a recognised vendor template.
     *
     * @throws UnplacedColumnsException when columns cannot be placed, with a proposal for each column
     */
    public static CsvFileReader open(InputStream in, String fileName, CsvLimits limits, HeaderRecognition.Choice choice) {
        CsvFileReader reader = null;
        try {
            reader = new CsvFileReader(in, fileName, limits, choice);
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
        boolean versionLine = isEntraVersionLine(first);
        if (versionLine) {
            first = readRecord();
            if (first == null) {
                throw new CsvRefusedException(fileName, null, null, "the file has the Entra \"version:v1.0\" line but no "
                        + "header line after it. Download the template from Entra again and fill it in.");
            }
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
        List<String> names = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            String name = written.get(i).replace("\uFEFF", "").strip();
            if (name.isEmpty()) {
                throw new CsvRefusedException(fileName, headerLine, null, "column " + (i + 1)
                        + " of the header has no name. Give it a name or delete the column.");
            }
            names.add(name);
        }
        mapping = HeaderRecognition.recognise(names, versionLine, choice, fileName, headerLine);
        header = mapping.header();
        rules = mapping.hasRules();
    }

    private static boolean isEntraVersionLine(CsvRecord record) {
        List<String> cells = record.cells();
        if (!cells.get(0).replace("\uFEFF", "").strip().equalsIgnoreCase(VendorTemplates.ENTRA_VERSION)) {
            return false;
        }
        for (int i = 1; i < cells.size(); i++) {
            if (!cells.get(i).isBlank()) {
                return false;
            }
        }
        return true;
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
        return rules ? mapping.apply(record, fileName) : record;
    }

    public String fileName() {
        return fileName;
    }

    public CsvHeader header() {
        return header;
    }

    /** How the header was read: its source format and what every column became. */
    public ColumnMapping mapping() {
        return mapping;
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
