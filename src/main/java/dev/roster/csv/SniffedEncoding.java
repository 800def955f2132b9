package dev.roster.csv;

import java.nio.charset.Charset;

/**
 * What the first bytes of a file say about its text encoding.
 *
 * @param bomLength bytes of byte order mark to skip
 * @param warning   a message for the user when the encoding was guessed, or null
 */
record SniffedEncoding(Charset charset, int bomLength, String warning) {
}
