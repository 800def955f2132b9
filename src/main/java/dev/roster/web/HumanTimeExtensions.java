package dev.roster.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.quarkus.qute.RawString;
import io.quarkus.qute.TemplateExtension;

/**
 * Every time on a page, one way: {human:time(batch.createdAt)} gives
 * {@code <time datetime="2026-12-01T03:08:01.815336Z" title="2026-12-01T03:08:01.815336Z">1 Dec 2026, 03:08 UTC</time>}
 * (empty for null). JSON and CSV keep the exact ISO time.
 */
@TemplateExtension(namespace = "human")
public class HumanTimeExtensions {

    private static final DateTimeFormatter HUMAN = DateTimeFormatter.ofPattern("d MMM uuuu, HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    /** The time element; its text is built from digits and month names only, so it needs no escaping. */
    static RawString time(Instant at) {
        if (at == null) {
            return new RawString("");
        }
        String iso = at.toString();
        return new RawString("<time datetime=\"" + iso + "\" title=\"" + iso + "\">" + human(at) + "</time>");
    }

    /** The human form alone: 1 Dec 2026, 03:08 UTC. */
    private static String human(Instant at) {
        return HUMAN.format(at);
    }
}
