package dev.roster.batch.planning;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.directory.ScheduleSettings;
import dev.roster.plan.DirectoryView;
import dev.roster.plan.MatchKey;
import dev.roster.plan.Operation;
import dev.roster.plan.Planner;
import dev.roster.plan.UserSnapshot;
import dev.roster.plan.UserStatus;
import dev.roster.sql.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The planning half of the start-up warm-up (batch/StartupWarmUp, #27): an onboarding of generated users planned
 * against the real directory (its lookups find none of them: their addresses are under {@code .invalid}, RFC 2606)
 * and an update of the same users against an in-memory view that knows them, through the real CSV reader, planner
 * and plan-item writer. Nothing is stored: the writer builds every row and sends none.
 */
@ApplicationScoped
public class PlanningWarmUp {

    static final String DOMAIN = "@warm-up.roster.invalid";

    @Inject
    ObjectMapper json;
    @Inject
    Jdbc jdbc;
    @Inject
    BatchPlanning planning;
    @Inject
    ScheduleSettings scheduleSettings;
    @Inject
    Clock clock;

    /** Plans both files; returns the plan items built (creates and updates). */
    public long run(int rows) {
        byte[] onboard = onboardFile(rows);
        byte[] update = updateFile(rows);
        long built = jdbc.readOnly(lookup -> plan(Operation.ONBOARD, new JdbcDirectoryView(lookup, json), onboard));
        return built + plan(Operation.UPDATE, new KnownUsers(), update);
    }

    private long plan(Operation operation, DirectoryView directory, byte[] file) {
        try (PlanItemCopyWriter writer = PlanItemCopyWriter.discarding(json)) {
            new Planner(operation, MatchKey.EMAIL, directory).withSchedule(scheduleSettings.at(clock.instant()))
                    .plan(() -> new ByteArrayInputStream(file), "warm-up.csv", planning.limits(), writer);
            return writer.finish();
        }
    }

    static String email(int i) {
        return "warm.up." + i + DOMAIN;
    }

    private static byte[] onboardFile(int rows) {
        StringBuilder csv = new StringBuilder("email,external_id,given_name,family_name,department,title,locale,send_invite\n");
        for (int i = 0; i < rows; i++) {
            csv.append(email(i)).append(",wu-").append(i).append(",Zoë").append(i % 97).append(",Østergaard-")
                    .append(i % 89).append(",Dept ").append(i % 10).append(",Title ").append(i % 8).append(",de-DE,true\n");
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] updateFile(int rows) {
        StringBuilder csv = new StringBuilder("email,department,title\n");
        for (int i = 0; i < rows; i++) {
            csv.append(email(i)).append(",Dept ").append((i + 1) % 10).append(",Title ").append(i % 8).append('\n');
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The onboarded users, as the update's lookups would find them. */
    private static final class KnownUsers implements DirectoryView {
        @Override
        public Map<String, UserSnapshot> findByEmails(Collection<String> lowercasedEmails) {
            Map<String, UserSnapshot> found = new HashMap<>();
            for (String email : lowercasedEmails) {
                int i = Integer.parseInt(email.substring("warm.up.".length(), email.indexOf('@')));
                found.put(email, new UserSnapshot(UUID.nameUUIDFromBytes(email.getBytes(StandardCharsets.UTF_8)), email,
                        "wu-" + i, null, "Zoë" + (i % 97), "Østergaard-" + (i % 89), null, null, "Dept " + (i % 10),
                        "Title " + (i % 8), "de-DE", UserStatus.INVITED, Map.of(), 1, null));
            }
            return found;
        }

        @Override
        public Map<String, UserSnapshot> findByExternalIds(Collection<String> externalIds) {
            return Map.of();
        }
    }
}
