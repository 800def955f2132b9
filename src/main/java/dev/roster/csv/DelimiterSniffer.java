package dev.roster.csv;

/** Picks the delimiter (comma, semicolon, tab or pipe) that the header line uses. */
final class DelimiterSniffer {

    static final char[] CANDIDATES = {',', ';', '\t', '|'};

    private DelimiterSniffer() {
    }

    /** The first line that is not blank, from text that may hold many lines. */
    static String firstNonBlankLine(String text) {
        int start = 0;
        while (start < text.length()) {
            int end = start;
            boolean quoted = false;
            while (end < text.length()) {
                char c = text.charAt(end);
                if (c == '"') {
                    quoted = !quoted;
                } else if (!quoted && (c == '\n' || c == '\r')) {
                    break;
                }
                end++;
            }
            String line = text.substring(start, end);
            if (!line.isBlank()) {
                return line;
            }
            start = end + 1;
        }
        return "";
    }

    /**
     * The candidate that occurs most often outside quotes; a comma when the header has a single column.
     *
     * @throws CsvRefusedException when two delimiters are used equally often
     */
    static char detect(String headerLine, String fileName, long line) {
        int[] counts = new int[CANDIDATES.length];
        boolean quoted = false;
        for (int i = 0; i < headerLine.length(); i++) {
            char c = headerLine.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                for (int k = 0; k < CANDIDATES.length; k++) {
                    if (c == CANDIDATES[k]) {
                        counts[k]++;
                    }
                }
            }
        }
        int best = 0;
        for (int k = 1; k < CANDIDATES.length; k++) {
            if (counts[k] > counts[best]) {
                best = k;
            }
        }
        for (int k = 0; k < CANDIDATES.length; k++) {
            if (k != best && counts[k] > 0 && counts[k] == counts[best]) {
                throw new CsvRefusedException(fileName, line, null, "the header line uses both " + describe(CANDIDATES[best])
                        + " and " + describe(CANDIDATES[k]) + " as separators. Use one separator (a comma) throughout the file.");
            }
        }
        return counts[best] == 0 ? ',' : CANDIDATES[best];
    }

    static String describe(char delimiter) {
        return switch (delimiter) {
            case ',' -> "commas";
            case ';' -> "semicolons";
            case '\t' -> "tabs";
            case '|' -> "pipes";
            default -> "\"" + delimiter + "\"";
        };
    }
}
