package dev.roster.csv;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decides from a file's first bytes whether it is text, and in which encoding; refuses files that are not text. */
final class EncodingSniffer {

    /** Bytes looked at; the rest of a UTF-8 file is checked while it streams. */
    static final int PREFIX_BYTES = 64 * 1024;

    static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private static final String SAVE_AS_CSV = "In Excel use File > Save As > \"CSV UTF-8 (Comma delimited) (*.csv)\" and upload that file.";

    private EncodingSniffer() {
    }

    static SniffedEncoding sniff(byte[] prefix, int length, boolean moreFollows, String fileName) {
        if (length == 0) {
            throw refuse(fileName, "the file is empty. Upload a CSV file with a header line and one row per user.");
        }
        String binary = describeBinary(prefix, length);
        if (binary != null) {
            throw refuse(fileName, "this looks like " + binary + ", not a CSV file. " + SAVE_AS_CSV);
        }
        if (startsWith(prefix, length, 0xEF, 0xBB, 0xBF)) {
            return new SniffedEncoding(StandardCharsets.UTF_8, 3, null);
        }
        if (startsWith(prefix, length, 0xFF, 0xFE, 0x00, 0x00) || startsWith(prefix, length, 0x00, 0x00, 0xFE, 0xFF)) {
            throw refuse(fileName, "this file is UTF-32 text, which is not supported. " + SAVE_AS_CSV);
        }
        if (startsWith(prefix, length, 0xFF, 0xFE)) {
            return new SniffedEncoding(StandardCharsets.UTF_16LE, 2, null);
        }
        if (startsWith(prefix, length, 0xFE, 0xFF)) {
            return new SniffedEncoding(StandardCharsets.UTF_16BE, 2, null);
        }
        int nulBytes = 0;
        for (int i = 0; i < length; i++) {
            if (prefix[i] == 0) {
                nulBytes++;
            }
        }
        if (nulBytes > 0) {
            // UTF-16 text of mostly Latin letters has a NUL in every other byte
            if (nulBytes * 3 >= length) {
                throw refuse(fileName, "this looks like UTF-16 text without a byte order mark (many NUL bytes), "
                        + "which cannot be read reliably. " + SAVE_AS_CSV);
            }
            throw refuse(fileName, "this looks like a binary file, not a CSV file: it contains NUL bytes. " + SAVE_AS_CSV);
        }
        if (isUtf8(prefix, length, moreFollows)) {
            return new SniffedEncoding(StandardCharsets.UTF_8, 0, null);
        }
        return new SniffedEncoding(WINDOWS_1252, 0, "the file is not UTF-8, so it was read as Windows-1252 (Western European). "
                + "Check that accented letters look right in the plan; if not, save the file as \"CSV UTF-8\" and upload it again.");
    }

    /** Names a well-known binary format from its magic bytes, or returns null. */
    static String describeBinary(byte[] b, int n) {
        if (startsWith(b, n, 0x89, 'P', 'N', 'G')) {
            return "a PNG image";
        }
        if (startsWith(b, n, 0xFF, 0xD8, 0xFF)) {
            return "a JPEG image";
        }
        if (startsWith(b, n, 'G', 'I', 'F', '8')) {
            return "a GIF image";
        }
        if (startsWith(b, n, '%', 'P', 'D', 'F')) {
            return "a PDF document";
        }
        if (startsWith(b, n, 'P', 'K', 0x03, 0x04) || startsWith(b, n, 'P', 'K', 0x05, 0x06)) {
            return "a ZIP archive (an .xlsx workbook?)";
        }
        if (startsWith(b, n, 0x1F, 0x8B)) {
            return "a gzip-compressed file";
        }
        if (startsWith(b, n, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1)) {
            return "an old Office file (an .xls workbook?)";
        }
        if (startsWith(b, n, '7', 'z', 0xBC, 0xAF, 0x27, 0x1C)) {
            return "a 7-Zip archive";
        }
        if (startsWith(b, n, 'R', 'a', 'r', '!')) {
            return "a RAR archive";
        }
        if (startsWith(b, n, 0x7F, 'E', 'L', 'F') || startsWith(b, n, 'M', 'Z', 0x90, 0x00)) {
            return "a program (executable)";
        }
        String start = new String(b, 0, Math.min(n, 256), StandardCharsets.ISO_8859_1).stripLeading().toLowerCase();
        if (start.startsWith("\u00ef\u00bb\u00bf")) {
            start = start.substring(3).stripLeading();
        }
        if (start.startsWith("<!doctype html") || start.startsWith("<html")) {
            return "a web page (HTML)";
        }
        if (start.startsWith("<?xml")) {
            return "an XML file (an Excel XML spreadsheet?)";
        }
        return null;
    }

    private static boolean isUtf8(byte[] prefix, int length, boolean moreFollows) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(length + 1);
        // a prefix cut in the middle of a character is not an error when more bytes follow
        CoderResult result = decoder.decode(ByteBuffer.wrap(prefix, 0, length), out, !moreFollows);
        return !result.isError();
    }

    private static boolean startsWith(byte[] bytes, int length, int... magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((bytes[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static CsvRefusedException refuse(String fileName, String problem) {
        return new CsvRefusedException(fileName, null, null, problem);
    }
}
