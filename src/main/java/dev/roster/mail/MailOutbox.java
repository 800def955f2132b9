package dev.roster.mail;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.hibernate.Session;

import dev.roster.credentials.PasswordTokens;
import dev.roster.plan.UserStatus;
import dev.roster.sql.BulkWrites;
import dev.roster.sql.CopyText;
import dev.roster.web.PageOf;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The transactional outbox: mails are written in the transaction of the change that causes them
 * and delivered later by {@link MailSender}. Also the queries behind the Sent mail pages and
 * "resend failed".
 */
@ApplicationScoped
public class MailOutbox {

    /** A message to insert; {@code rawToken} is encrypted before it reaches the database. */
    public record NewMessage(UUID id, MailKind kind, UUID userId, String recipient, String displayName, UUID batchId,
            UUID tokenId, String rawToken, Instant linkExpiresAt) {
    }

    /** Mail status counts of a batch or a user. */
    public record StatusCounts(long pending, long sending, long sent, long failed) {
        public long total() {
            return pending + sending + sent + failed;
        }

        /** Waiting to go out: pending or being sent. */
        public long queued() {
            return pending + sending;
        }
    }

    @Inject
    EntityManager em;
    @Inject
    TokenCipher cipher;
    @Inject
    PasswordTokens tokens;
    @Inject
    Clock clock;
    @Inject
    Event<MailEvents.Queued> queued;
    @Inject
    MailConfig config;

    /** Call before {@link #insert} inside a JDBC work block: loads the token key outside it. */
    public void prepare() {
        cipher.ensureKey();
    }

    /** Inserts messages with one COPY on the caller's connection; returns their ids in order. */
    public List<UUID> insert(Connection connection, List<NewMessage> messages, Instant now) throws SQLException {
        try {
            return insert(BulkWrites.direct(connection), messages, now);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw e;
        }
    }

    /** As above, the COPY sent to {@code writes} (an apply's are written behind while it reads on). */
    public List<UUID> insert(BulkWrites writes, List<NewMessage> messages, Instant now) {
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        List<UUID> ids = new ArrayList<>(messages.size());
        CopyText rows = new CopyText();
        for (NewMessage m : messages) {
            rows.value(m.id()).value(m.kind().name()).value("PENDING").value(m.userId()).value(m.recipient())
                    .value(m.displayName()).value(MailRenderer.subjectOf(m.kind())).value(m.batchId()).value(m.tokenId())
                    .value(m.rawToken() == null ? null : cipher.encrypt(m.id(), m.rawToken()))
                    .value(m.linkExpiresAt() == null ? null : OffsetDateTime.ofInstant(m.linkExpiresAt(), ZoneOffset.UTC))
                    .value(0).value(at).value(at).value(at).endRow();
            ids.add(m.id());
        }
        writes.copy("""
                mail_outbox (id, kind, status, user_id, recipient, display_name, subject, batch_id, token_id,
                             token_secret, link_expires_at, attempts, next_attempt_at, created_at, updated_at)""", rows);
        return ids;
    }

    /** A notice to an admin (SYNC_NOTICE): its own subject and text, no link token. */
    public record Notice(String recipient, String displayName, String subject, String body, UUID batchId) {
    }

    /** Queues notices with one COPY on the caller's connection (its transaction); returns how many. */
    public int enqueueNotices(Connection connection, List<Notice> notices) throws SQLException {
        if (notices.isEmpty()) {
            return 0;
        }
        OffsetDateTime at = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        CopyText rows = new CopyText();
        for (Notice n : notices) {
            rows.value(UUID.randomUUID()).value(MailKind.SYNC_NOTICE.name()).value("PENDING").value(n.recipient())
                    .value(n.displayName()).value(n.subject()).value(n.body()).value(n.batchId()).value(0).value(at)
                    .value(at).value(at).endRow();
        }
        rows.copyInto(connection, """
                mail_outbox (id, kind, status, recipient, display_name, subject, body, batch_id, attempts, next_attempt_at,
                             created_at, updated_at)""");
        queued.fire(new MailEvents.Queued(notices.size()));
        return notices.size();
    }

    /** Queues the "your password was changed" notice, in the caller's transaction. */
    @Transactional
    public UUID enqueuePasswordChanged(UUID userId, String email, String displayName) {
        Instant now = clock.instant();
        OutboxMessage m = new OutboxMessage();
        m.id = UUID.randomUUID();
        m.kind = MailKind.PASSWORD_CHANGED;
        m.status = OutboxStatus.PENDING;
        m.userId = userId;
        m.recipient = email;
        m.displayName = displayName;
        m.subject = MailRenderer.subjectOf(m.kind);
        // For a notice, link_expires_at is unused; the time of the change is the creation time.
        m.nextAttemptAt = now;
        m.createdAt = now;
        m.updatedAt = now;
        m.persist();
        queued.fire(new MailEvents.Queued(1));
        return m.id;
    }

    /**
     * Queues again the batch's FAILED mails: each gets its attempts reset and, when it carries a
     * link, a fresh token (voiding the old ones, whose expiry may be near or past). A failed mail
     * that a newer mail of the same kind to the same user has replaced is left alone, and so is one
     * whose user may no longer get a link: suspended, deleted, or with another address since (the
     * database cancels those when that happens; this covers a mail that failed while being sent then).
     * Returns how many were queued.
     */
    @Transactional
    public int resendFailed(UUID batchId) {
        List<OutboxMessage> failed = OutboxMessage.find("""
                from OutboxMessage m where m.status = :failed and m.batchId = :batch and not exists (
                    select 1 from OutboxMessage newer where newer.userId = m.userId
                    and newer.kind = m.kind and newer.createdAt > m.createdAt)
                and (m.userId is null or exists (select 1 from DirectoryUser u where u.id = m.userId
                    and lower(u.email) = lower(m.recipient) and u.status in :live))""",
                Parameters.with("failed", OutboxStatus.FAILED).and("batch", batchId)
                        .and("live", List.of(UserStatus.INVITED, UserStatus.ACTIVE))).list();
        if (failed.isEmpty()) {
            return 0;
        }
        prepare();
        Instant now = clock.instant();
        List<OutboxMessage> withLink = failed.stream().filter(m -> m.kind.hasLink() && m.userId != null).toList();
        Map<UUID, PasswordTokens.Minted> minted = new HashMap<>();
        if (!withLink.isEmpty()) {
            Session session = em.unwrap(Session.class);
            session.flush();
            List<PasswordTokens.Minted> list = session.doReturningWork(c -> tokens.mint(c,
                    withLink.stream().map(m -> new PasswordTokens.Want(m.userId, m.kind.purpose(), m.batchId)).toList(), now));
            for (int i = 0; i < withLink.size(); i++) {
                minted.put(withLink.get(i).id, list.get(i));
            }
        }
        for (OutboxMessage m : failed) {
            PasswordTokens.Minted token = minted.get(m.id);
            if (token != null) {
                m.tokenId = token.tokenId();
                m.tokenSecret = cipher.encrypt(m.id, token.rawToken());
                m.linkExpiresAt = token.expiresAt();
            }
            m.status = OutboxStatus.PENDING;
            m.attempts = 0;
            m.leaseUntil = null;
            m.nextAttemptAt = now;
            m.updatedAt = now;
            m.lastError = m.lastError == null ? null : "resent after: " + m.lastError;
        }
        queued.fire(new MailEvents.Queued(failed.size()));
        return failed.size();
    }

    public PageOf<OutboxMessage> search(String recipient, OutboxStatus status, UUID batchId, UUID userId, int page, int size) {
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (recipient != null && !recipient.isBlank()) {
            where.append(" and lower(recipient) like :recipient");
            params.and("recipient", "%" + recipient.trim().toLowerCase().replace("\\", "\\\\").replace("%", "\\%")
                    .replace("_", "\\_") + "%");
        }
        if (status != null) {
            where.append(" and status = :status");
            params.and("status", status);
        }
        if (batchId != null) {
            where.append(" and batchId = :batch");
            params.and("batch", batchId);
        }
        if (userId != null) {
            where.append(" and userId = :user");
            params.and("user", userId);
        }
        var query = OutboxMessage.<OutboxMessage>find(where.toString(), Sort.descending("createdAt").and("id"), params);
        long total = query.count();
        List<OutboxMessage> items = query.page(Page.of(page - 1, size)).list();
        return new PageOf<>(items, total, page, size);
    }

    public StatusCounts counts(UUID batchId, UUID userId) {
        String where = batchId != null ? "batchId = :id" : "userId = :id";
        List<Object[]> rows = em.createQuery("select status, count(*) from OutboxMessage where " + where + " group by status",
                Object[].class).setParameter("id", batchId != null ? batchId : userId).getResultList();
        Map<OutboxStatus, Long> by = new HashMap<>();
        rows.forEach(r -> by.put((OutboxStatus) r[0], (Long) r[1]));
        return new StatusCounts(by.getOrDefault(OutboxStatus.PENDING, 0L), by.getOrDefault(OutboxStatus.SENDING, 0L),
                by.getOrDefault(OutboxStatus.SENT, 0L), by.getOrDefault(OutboxStatus.FAILED, 0L));
    }

    /** After a password was set through a link: the user's delivered links are dead, so their encrypted tokens go. */
    @Transactional
    public void forgetDeliveredLinks(UUID userId) {
        em.createQuery("update OutboxMessage set tokenSecret = null where userId = :user and tokenSecret is not null"
                + " and status in (:done)")
                .setParameter("user", userId).setParameter("done", List.of(OutboxStatus.SENT, OutboxStatus.FAILED))
                .executeUpdate();
    }

    /**
     * Encrypted tokens are kept after sending only for the Sent mail page, and only while the link
     * could still work: this drops them once expired, and all delivered ones when the page is off.
     */
    @Transactional
    public int forgetDeadLinks() {
        boolean sentMailPage = config.sentMailPage().enabled();
        String sql = "update OutboxMessage set tokenSecret = null where tokenSecret is not null and status in (:done)"
                + (sentMailPage ? " and linkExpiresAt < :now" : "");
        var update = em.createQuery(sql).setParameter("done", List.of(OutboxStatus.SENT, OutboxStatus.FAILED));
        if (sentMailPage) {
            update.setParameter("now", clock.instant());
        }
        return update.executeUpdate();
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void forgetDeadLinksRegularly() {
        forgetDeadLinks();
    }

    public boolean sentMailPageEnabled() {
        return config.sentMailPage().enabled();
    }
}
