package dev.roster.directory;

import java.sql.Connection;
import java.sql.SQLException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import dev.roster.sql.Jdbc;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Seeds about a thousand realistic users (some with accents, other scripts) into an empty
 * directory on the local default, so a first look at Roster shows a populated portal.
 * Switched off with ROSTER_DEMO_DATA=false, and off by default in production.
 */
@ApplicationScoped
public class DemoDirectory {

    private static final List<String> GIVEN = List.of("Anna", "Ben", "Chloé", "David", "Elif", "François", "Grace",
            "Hiroshi", "Inès", "Jonas", "Katarzyna", "Lars", "María", "Noah", "Olga", "Pedro", "Quentin", "Rania",
            "Søren", "Tomás", "Ümit", "Valentina", "Wei", "Xavier", "Yasmin", "Zoë", "Ahmed", "Björn", "Camille",
            "Dmitri", "Émilie", "Fatima", "Giulia", "Hannah", "Ivan", "Jürgen", "Kenji", "Leïla", "Mateusz", "Nadia",
            "Oskar", "Priya", "Raphaël", "Siobhán", "Thảo", "Ulrike", "Vikram", "Wiktoria", "Yuki", "Zeynep");
    private static final List<String> FAMILY = List.of("Andersson", "Bianchi", "Çelik", "Dubois", "Eriksen",
            "Fernández", "García", "Hoffmann", "Ivanova", "Jensen", "Kowalski", "López", "Müller", "Nguyễn", "O'Brien",
            "Petrović", "Quintero", "Rossi", "Schmidt", "Tanaka", "Urbański", "Vázquez", "Wójcik", "Yılmaz",
            "Zhang", "Åberg", "Brontë", "Costa", "Dvořák", "Łukasiewicz", "Nakamura", "Okafor", "Papadopoulos",
            "Rahman", "Singh", "Takahashi", "van der Berg", "Weiß", "Øvergaard", "Kim");
    private static final List<String> DEPARTMENTS = List.of("Engineering", "Sales", "Marketing", "Finance",
            "Human Resources", "Support", "Legal", "Operations", "Research", "Design");
    private static final List<String> TITLES = List.of("Engineer", "Senior Engineer", "Manager", "Analyst",
            "Specialist", "Director", "Coordinator", "Consultant", "Associate", "Lead");
    private static final List<String> LOCALES = List.of("en-GB", "en-US", "fr-FR", "de-DE", "es-ES", "it-IT",
            "pl-PL", "ja-JP", "nl-NL", "sv-SE", "tr-TR", "pt-BR");
    private static final List<String> DOMAINS = List.of("example.com", "example.org", "acme.test");

    @Inject
    DemoDataSettings settings;
    @Inject
    Jdbc jdbc;

    void onStart(@Observes @Priority(20) StartupEvent event) {
        if (!settings.enabled()) {
            return;
        }
        try {
            int written = jdbc.inTransaction(c -> {
                Jdbc.one(c, "SELECT pg_advisory_xact_lock(4242002)", rs -> Boolean.TRUE);
                if (Jdbc.one(c, "SELECT EXISTS (SELECT 1 FROM directory_user)", rs -> rs.getBoolean(1)).orElse(true)) {
                    return 0;
                }
                return insert(c);
            });
            if (written > 0) {
                Log.infof("Seeded %d demo users into the empty directory (ROSTER_DEMO_DATA=false switches this off)", written);
            }
        } catch (RuntimeException e) {
            Log.warnf("Demo data not seeded: %s", e.getMessage());
        }
    }

    private int insert(Connection c) throws SQLException {
        Random random = new Random(20261126L);
        int size = settings.size();
        Set<String> emails = new HashSet<>();
        Set<String> usernames = new HashSet<>(); // unique among live users (decisions/0031), whatever the domain
        int written = 0;
        List<UserWriter.NewUser> users = new ArrayList<>();
        for (int i = 0; written < size && i < size * 3; i++) {
            String given = GIVEN.get(random.nextInt(GIVEN.size()));
            String family = FAMILY.get(random.nextInt(FAMILY.size()));
            String local = ascii(given) + "." + ascii(family);
            String email = local + (emails.contains(local + "@" + DOMAINS.get(0)) ? String.valueOf(i) : "")
                    + "@" + DOMAINS.get(random.nextInt(DOMAINS.size()));
            if (!emails.add(email)) {
                continue;
            }
            int roll = random.nextInt(100);
            String status = roll < 82 ? "ACTIVE" : roll < 92 ? "INVITED" : roll < 97 ? "SUSPENDED" : "DELETED";
            String department = DEPARTMENTS.get(random.nextInt(DEPARTMENTS.size()));
            Map<String, String> columns = new HashMap<>();
            columns.put("email", email);
            columns.put("external_id", String.format("E%05d", 10000 + written));
            String username = email.substring(0, email.indexOf('@'));
            for (int n = 2; !usernames.add(username); n++) {
                username = email.substring(0, email.indexOf('@')) + "." + n;
            }
            columns.put("username", username);
            columns.put("given_name", given);
            columns.put("family_name", family);
            columns.put("display_name", given + " " + family);
            columns.put("phone", "+4420" + (7000000 + random.nextInt(999999)));
            columns.put("department", department);
            columns.put("title", TITLES.get(random.nextInt(TITLES.size())));
            columns.put("locale", LOCALES.get(random.nextInt(LOCALES.size())));
            columns.put("cost_center", "CC-" + (100 + DEPARTMENTS.indexOf(department)));
            columns.put("employee_number", String.valueOf(10000 + written));
            users.add(new UserWriter.NewUser(UUID.nameUUIDFromBytes(email.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    columns, status, "{}", null, null));
            written++;
        }
        UserWriter.insert(c, users);
        Jdbc.update(c, "UPDATE directory_user SET deleted_at = now() - interval '3 days' WHERE status = 'DELETED'");
        return written;
    }

    private static String ascii(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}", "")
                .replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O").replace("ß", "ss")
                .replace("ı", "i").replace("đ", "d").replaceAll("[^A-Za-z]", "").toLowerCase(Locale.ROOT);
    }
}
