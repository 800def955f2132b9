package dev.roster.batch.apply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.UserEvents;
import dev.roster.reset.LinkRequest;
import dev.roster.reset.PasswordLinks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The apply half of the start-up warm-up (batch/StartupWarmUp, #27): the Java work an apply does per row, on
 * generated users, with nothing stored: the plan's fields parsed as {@link ApplyAuditDrafts} parses them, the
 * created and invited events made canonical, hashed and turned into COPY rows, and a link minted, hashed and
 * encrypted into its outbox row for each user.
 */
@ApplicationScoped
public class ApplyWarmUp {

    @Inject
    ObjectMapper json;
    @Inject
    AuditTrail audit;
    @Inject
    PasswordLinks links;

    /** Returns the events and links it went through. */
    public long run(int rows) {
        UUID batch = UUID.randomUUID();
        long linked = links.exercise(IntStream.range(0, rows).mapToObj(i -> new LinkRequest(
                UUID.randomUUID(), "warm.up." + i + "@warm-up.roster.invalid", "Zoë Østergaard", TokenPurpose.INVITE, batch))
                .iterator());
        return linked + audit.exercise(AuditActor.system(), new Drafts(rows, batch));
    }

    /** A created and an invited event per generated row, from fields as a plan item stores them. */
    private final class Drafts implements Iterator<AuditEventDraft> {
        private final int rows;
        private final UUID batch;
        private final List<AuditEventDraft> pending = new ArrayList<>(2);
        private int next;

        Drafts(int rows, UUID batch) {
            this.rows = rows;
            this.batch = batch;
        }

        @Override
        public boolean hasNext() {
            if (pending.isEmpty() && next < rows) {
                int i = next++;
                String email = "warm.up." + i + "@warm-up.roster.invalid";
                String fields = "[{\"name\":\"email\",\"before\":null,\"after\":\"" + email + "\"},"
                        + "{\"name\":\"given_name\",\"before\":null,\"after\":\"Zoë" + (i % 97) + "\"},"
                        + "{\"name\":\"family_name\",\"before\":null,\"after\":\"Østergaard\"},"
                        + "{\"name\":\"department\",\"before\":null,\"after\":\"Dept " + (i % 10) + "\"}]";
                try {
                    List<Map<String, String>> parsed = json.readValue(fields, ApplyAuditDrafts.FIELDS);
                    UUID user = UUID.randomUUID();
                    long line = i + 2L;
                    pending.add(UserEvents.created(user, ApplyAuditDrafts.createdName(parsed), batch, line, parsed, false, null));
                    pending.add(new AuditEventDraft(AuditAction.INVITE_ISSUED, user, email, batch, Map.of("line", line)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return !pending.isEmpty();
        }

        @Override
        public AuditEventDraft next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return pending.remove(0);
        }
    }
}
