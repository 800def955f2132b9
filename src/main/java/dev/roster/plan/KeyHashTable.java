package dev.roster.plan;

import java.util.Arrays;

/** Open-addressing map from a 64-bit key hash to the first line it was seen on: 12 bytes a slot, no boxing. */
final class KeyHashTable {

    private static final long EMPTY = 0;

    private long[] hashes = new long[1 << 12];
    private int[] lines = new int[1 << 12];
    private int size;

    /** Stores {@code line} for {@code hash} if absent; returns the line stored before, or -1. */
    long putIfAbsent(long hash, long line) {
        if (hash == EMPTY) {
            hash = 1; // 0 marks a free slot
        }
        if ((size + 1) * 2 > hashes.length) {
            grow();
        }
        int mask = hashes.length - 1;
        int slot = (int) (hash ^ (hash >>> 32)) & mask;
        while (hashes[slot] != EMPTY) {
            if (hashes[slot] == hash) {
                return Integer.toUnsignedLong(lines[slot]);
            }
            slot = (slot + 1) & mask;
        }
        hashes[slot] = hash;
        lines[slot] = (int) line;
        size++;
        return -1;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldHashes = hashes;
        int[] oldLines = lines;
        hashes = new long[oldHashes.length * 2];
        lines = new int[oldLines.length * 2];
        int mask = hashes.length - 1;
        for (int i = 0; i < oldHashes.length; i++) {
            long hash = oldHashes[i];
            if (hash != EMPTY) {
                int slot = (int) (hash ^ (hash >>> 32)) & mask;
                while (hashes[slot] != EMPTY) {
                    slot = (slot + 1) & mask;
                }
                hashes[slot] = hash;
                lines[slot] = oldLines[i];
            }
        }
        Arrays.fill(oldHashes, 0);
    }

    /** FNV-1a over the chars, then a MurmurHash3 finaliser to spread the bits. */
    static long hash(char namespace, String value) {
        long h = 0xcbf29ce484222325L;
        h = (h ^ namespace) * 0x100000001b3L;
        for (int i = 0; i < value.length(); i++) {
            h = (h ^ value.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
