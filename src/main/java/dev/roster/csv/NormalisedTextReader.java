package dev.roster.csv;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.util.Locale;

/**
 * Decodes bytes to text, turning CRLF and lone CR into LF, counting physical lines, and enforcing the byte and
 * record-length limits. Decoding is done here rather than by InputStreamReader so that an invalid byte is
 * reported on the exact line where it sits.
 */
final class NormalisedTextReader extends Reader {

    /** opencsv reads through a BufferedReader of this many chars, so a record guard must allow that much slack. */
    private static final int READ_AHEAD_SLACK = 8192;

    private final InputStream in;
    private final CharsetDecoder decoder;
    private final String fileName;
    private final CsvLimits limits;
    private final ByteBuffer bytes = ByteBuffer.allocate(8192).flip();
    private final CharBuffer chars = CharBuffer.allocate(8192).flip();
    private long bytesRead;
    private boolean endOfInput;
    private boolean flushed;
    private boolean overLimit;
    private boolean lastWasCarriageReturn;
    private long line = 1;
    private long recordStartLine = 1;
    private long charsSinceRecordStart;

    NormalisedTextReader(InputStream in, Charset charset, boolean strict, long bytesAlreadyRead, String fileName, CsvLimits limits) {
        this.in = in;
        CodingErrorAction onError = strict ? CodingErrorAction.REPORT : CodingErrorAction.REPLACE;
        this.decoder = charset.newDecoder().onMalformedInput(onError).onUnmappableCharacter(onError);
        this.bytesRead = bytesAlreadyRead;
        this.fileName = fileName;
        this.limits = limits;
    }

    /** Bytes consumed from the underlying stream, BOM included. */
    long bytesRead() {
        return bytesRead;
    }

    /** Called before each record so that an overlong record can be reported at the line where it starts. */
    void startRecord(long startLine) {
        recordStartLine = startLine;
        charsSinceRecordStart = 0;
    }

    @Override
    public int read(char[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int written = 0;
        // Straight on the decoded array: per-char CharBuffer.get() was the planner's top CPU cost.
        char[] decoded = chars.array();
        int pos = chars.position();
        int limit = chars.limit();
        while (written < length) {
            if (pos == limit) {
                chars.position(pos);
                boolean more = written == 0 && fill();
                pos = chars.position();
                limit = chars.limit();
                if (!more) {
                    break;
                }
            }
            char c = decoded[pos++];
            if (c == '\n' && lastWasCarriageReturn) {
                lastWasCarriageReturn = false;
                continue;
            }
            lastWasCarriageReturn = c == '\r';
            if (c == '\r') {
                c = '\n';
            } else if (c == 0) {
                throw new CsvRefusedException(fileName, line, null, "this line contains a NUL character, so the file looks "
                        + "binary rather than text. Save the file as \"CSV UTF-8\" and upload it again.");
            }
            if (++charsSinceRecordStart > (long) limits.maxRecordChars() + READ_AHEAD_SLACK) {
                throw new CsvRefusedException(fileName, recordStartLine, null, String.format(Locale.ROOT,
                        "the record starting on this line is longer than the limit of %,d characters. This usually means "
                                + "a double quote that is never closed, or a file that is not a list of users. "
                                + "Check the quotes on this line.", limits.maxRecordChars()));
            }
            target[offset + written++] = c;
            if (c == '\n') {
                line++;
            }
        }
        chars.position(pos);
        return written == 0 && length > 0 ? -1 : written;
    }

    /** Decodes more chars; false at the end of the input. */
    private boolean fill() throws IOException {
        chars.clear();
        try {
            while (true) {
                if (endOfInput) {
                    if (!flushed) {
                        CoderResult last = decoder.decode(bytes, chars, true);
                        if (last.isError()) {
                            if (chars.position() > 0) {
                                break; // deliver the good text first; the error comes back on the next call
                            }
                            throw invalidText();
                        }
                        if (last.isOverflow()) {
                            break;
                        }
                        decoder.flush(chars);
                        flushed = true;
                    }
                    break;
                }
                CoderResult result = decoder.decode(bytes, chars, false);
                if (result.isError()) {
                    if (chars.position() > 0) {
                        break;
                    }
                    throw invalidText();
                }
                if (result.isOverflow() || chars.position() > 0) {
                    break;
                }
                if (overLimit) {
                    // all bytes up to the limit are decoded and emitted: the line count now names the line it cuts
                    throw new CsvRefusedException(fileName, line, null, String.format(Locale.ROOT,
                            "the file is larger than the limit of %,d bytes (%s); it goes past the limit on this line. "
                                    + "Split it into smaller files.", limits.maxBytes(), humanBytes(limits.maxBytes())));
                }
                bytes.compact();
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    endOfInput = true;
                } else {
                    if (bytesRead + n > limits.maxBytes()) {
                        overLimit = true;
                        n = (int) (limits.maxBytes() - bytesRead);
                    }
                    bytes.position(bytes.position() + n);
                    bytesRead += n;
                }
                bytes.flip();
            }
        } finally {
            chars.flip();
        }
        return chars.hasRemaining();
    }

    private CsvRefusedException invalidText() {
        String charset = decoder.charset().name();
        return new CsvRefusedException(fileName, line, null, "this line is not valid " + charset
                + " text, although the start of the file was. The file probably mixes encodings: save it again as "
                + "\"CSV UTF-8\" and upload it again.");
    }

    static String humanBytes(long bytes) {
        if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return bytes / 1024 + " KB";
        }
        return bytes + " bytes";
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
