package dev.roster.reset;

import java.time.Clock;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.hibernate.Session;

import dev.roster.access.CurrentOperator;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.credentials.PasswordTokens;
import dev.roster.credentials.TokenPurpose;
import dev.roster.mail.MailEvents;
import dev.roster.mail.MailKind;
import dev.roster.mail.MailOutbox;
import dev.roster.sql.BulkWrites;
import dev.roster.sql.Jdbc;
import dev.roster.sql.WriteBehind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Issues reset and invitation links for the apply: a new token (voiding the user's earlier open
 * ones of that purpose) and its mail in the outbox, all in the caller's transaction, so a rolled
 * back apply sends nothing and a committed one never loses a mail.
 */
@ApplicationScoped
public class PasswordLinks {

    static final int CHUNK = 1000;

    @Inject
    EntityManager em;
    @Inject
    PasswordTokens tokens;
    @Inject
    MailOutbox outbox;
    @Inject
    Clock clock;
    @Inject
    AuditTrail audit;
    @Inject
    Jdbc jdbc;
    @Inject
    Event<MailEvents.Queued> queued;

    /**
     * In the CALLER's transaction: voids earlier unused tokens of this purpose for the user, stores a
     * new token hash, and queues the mail in the outbox. Returns the outbox message id.
     */
    @Transactional
    public UUID issue(UUID userId, String email, String displayName, TokenPurpose purpose, UUID batchId) {
        return issue(new LinkRequest(userId, email, displayName, purpose, batchId), CurrentOperator.actorOrSystem());
    }

    /** The same, with the actor its audit event names (the Forgot page's, issued after its request has been answered). */
    @Transactional
    public UUID issue(LinkRequest request, AuditActor actor) {
        List<UUID> ids = issueChunk(List.of(request), actor);
        queued.fire(new MailEvents.Queued(1));
        return ids.get(0);
    }

    /**
     * Set-based variant for an apply of many rows: same semantics, in chunks of 1,000 with batched
     * statements on the caller's transaction connection. Returns how many links were issued.
     */
    @Transactional
    public long issueAll(Iterator<LinkRequest> requests) {
        long count = 0;
        List<LinkRequest> chunk = new ArrayList<>(CHUNK);
        Set<String> keys = new HashSet<>();
        while (requests.hasNext()) {
            LinkRequest request = requests.next();
            // A second link for the same user and purpose voids the first: it goes in the next chunk.
            if (!keys.add(request.userId() + "/" + request.purpose()) || chunk.size() == CHUNK) {
                count += issueChunk(chunk, CurrentOperator.actorOrSystem()).size();
                chunk.clear();
                keys.clear();
                keys.add(request.userId() + "/" + request.purpose());
            }
            chunk.add(request);
        }
        count += issueChunk(chunk, CurrentOperator.actorOrSystem()).size();
        if (count > 0) {
            queued.fire(new MailEvents.Queued(count));
        }
        return count;
    }

    /**
     * The same on a JDBC transaction the caller owns (an apply's own connection). Fires no event per
     * link: the caller writes the audit events of its rows itself, set-based. Invitations here go to
     * users the same transaction created, so only reset links void earlier ones. Returns how many links.
     */
    public long issueAll(Connection connection, Iterator<LinkRequest> requests) {
        if (!requests.hasNext()) {
            return 0; // most applies and every SCIM activation without an invitation: no writer thread for nothing
        }
        outbox.prepare();
        // The tokens and outbox rows are written behind (WriteBehind), while the next chunk is read and built: the
        // requests come from the apply's second connection, never from this one.
        try (WriteBehind writes = new WriteBehind(connection, 2, "links")) {
            long count = issueAll(writes, requests);
            writes.finish();
            return count;
        }
    }

    /**
     * The work of {@link #issueAll(Connection, Iterator)} (tokens, their hashes, encrypted outbox rows) with nothing
     * stored, for the start-up warm-up (batch/StartupWarmUp). Returns how many links it went through.
     */
    public long exercise(Iterator<LinkRequest> requests) {
        outbox.prepare();
        return issueAll(BulkWrites.discard(), requests);
    }

    private long issueAll(BulkWrites writes, Iterator<LinkRequest> requests) {
        long count = 0;
        List<LinkRequest> chunk = new ArrayList<>(CHUNK);
        Set<String> keys = new HashSet<>();
        Instant now = clock.instant();
        while (requests.hasNext()) {
            LinkRequest request = requests.next();
            if (!keys.add(request.userId() + "/" + request.purpose()) || chunk.size() == CHUNK) {
                count += issueChunk(writes, chunk, now).size();
                chunk = new ArrayList<>(CHUNK);
                keys.clear();
                keys.add(request.userId() + "/" + request.purpose());
            }
            chunk.add(request);
        }
        return count + issueChunk(writes, chunk, now).size();
    }

    private List<UUID> issueChunk(BulkWrites writes, List<LinkRequest> chunk, Instant now) {
        if (chunk.isEmpty()) {
            return List.of();
        }
        List<PasswordTokens.Want> wants = chunk.stream()
                .map(r -> new PasswordTokens.Want(r.userId(), r.purpose(), r.batchId())).toList();
        List<PasswordTokens.Minted> minted = tokens.mint(writes, wants, now, java.util.EnumSet.of(TokenPurpose.RESET));
        List<MailOutbox.NewMessage> messages = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
            LinkRequest r = chunk.get(i);
            PasswordTokens.Minted m = minted.get(i);
            messages.add(new MailOutbox.NewMessage(UUID.randomUUID(), MailKind.of(r.purpose()), r.userId(), r.email(),
                    r.displayName(), r.batchId(), m.tokenId(), m.rawToken(), m.expiresAt()));
        }
        return outbox.insert(writes, messages, now);
    }

    private List<UUID> issueChunk(List<LinkRequest> chunk, AuditActor actor) {
        if (chunk.isEmpty()) {
            return List.of();
        }
        outbox.prepare();
        Session session = em.unwrap(Session.class);
        // Users the caller persisted in this transaction must be in the table before tokens reference them.
        session.flush();
        Instant now = clock.instant();
        List<UUID> ids = session.doReturningWork(connection -> {
            List<PasswordTokens.Want> wants = chunk.stream()
                    .map(r -> new PasswordTokens.Want(r.userId(), r.purpose(), r.batchId())).toList();
            List<PasswordTokens.Minted> minted = tokens.mint(connection, wants, now);
            List<MailOutbox.NewMessage> messages = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                LinkRequest r = chunk.get(i);
                PasswordTokens.Minted m = minted.get(i);
                messages.add(new MailOutbox.NewMessage(UUID.randomUUID(), MailKind.of(r.purpose()), r.userId(), r.email(),
                        r.displayName(), r.batchId(), m.tokenId(), m.rawToken(), m.expiresAt()));
            }
            return outbox.insert(connection, messages, now);
        });
        // Links issued here (an apply records its own, set-based): their events in the issuing transaction.
        jdbc.inCallersTransaction(c -> audit.recordAll(c, actor, chunk.stream()
                .map(r -> new AuditEventDraft(r.purpose() == TokenPurpose.INVITE ? AuditAction.INVITE_ISSUED
                        : AuditAction.PASSWORD_RESET_ISSUED, r.userId(), r.email(), r.batchId(),
                        Map.<String, Object>of("purpose", r.purpose().name())))
                .iterator()));
        return ids;
    }
}
