package dev.roster.plan;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DuplicateKeysTest {

    @Test
    void hashTableKeepsTheFirstLineAndGrows() {
        KeyHashTable table = new KeyHashTable();
        for (int i = 0; i < 100_000; i++) {
            assertEquals(-1, table.putIfAbsent(KeyHashTable.hash('k', "user" + i + "@x.org"), i + 2));
        }
        assertEquals(100_000, table.size());
        assertEquals(2 + 4_242, table.putIfAbsent(KeyHashTable.hash('k', "user4242@x.org"), 999_999));
        assertEquals(-1, table.putIfAbsent(0, 5), "hash 0 is stored too");
        assertEquals(5, table.putIfAbsent(0, 6));
    }

    @Test
    void namespacesKeepEmailsAndExternalIdsApart() {
        assertNotEquals(KeyHashTable.hash('k', "a@x.org"), KeyHashTable.hash('e', "a@x.org"));
    }

    @Test
    void reportsOtherOccurrencesInFileOrderOnly() {
        DuplicateKeys keys = new DuplicateKeys();
        RowReader.KeyUse alice = new RowReader.KeyUse('k', "email", "alice@x.org");
        RowReader.KeyUse bob = new RowReader.KeyUse('k', "email", "bob@x.org");
        keys.add(2, alice);
        keys.add(3, bob);
        keys.add(9, alice);
        // second pass, in file order
        assertEquals(List.of(9L), keys.others(2, alice).stream().map(DuplicateKeys.Occurrence::line).toList());
        assertTrue(keys.others(3, bob).isEmpty());
        assertEquals(List.of(2L), keys.others(9, alice).stream().map(DuplicateKeys.Occurrence::line).toList());
    }
}
