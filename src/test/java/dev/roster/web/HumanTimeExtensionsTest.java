package dev.roster.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class HumanTimeExtensionsTest {

    @Test
    void aTimeIsShownForAPersonWithTheExactIsoTimeBehindIt() {
        assertEquals("<time datetime=\"2026-12-01T03:08:01.815336Z\" title=\"2026-12-01T03:08:01.815336Z\">"
                + "1 Dec 2026, 03:08 UTC</time>", HumanTimeExtensions.time(Instant.parse("2026-12-01T03:08:01.815336Z"))
                .getValue());
        assertEquals("", HumanTimeExtensions.time(null).getValue());
    }
}
