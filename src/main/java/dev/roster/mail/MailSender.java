package dev.roster.mail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import dev.roster.mail.MailRenderer.RenderedMail;
import io.quarkus.logging.Log;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.background.BackgroundThreads;
import dev.roster.sql.Jdbc;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.vertx.ext.mail.SMTPException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Delivers the outbox. Each pass claims due messages in a short transaction (FOR UPDATE SKIP
 * LOCKED: status SENDING, a lease, attempts + 1), sends them outside any transaction with bounded
 * concurrency and a rate limit, then records the pass's deliveries in one short transaction (and
 * one audit append) and each failure in its own. Safe with
 * several instances; a crashed sender's messages are claimed again when their lease runs out.
 */
@ApplicationScoped
public class MailSender {

    /** A claimed message, as read by the claim. */
    record Claimed(UUID id, MailKind kind, UUID userId, String recipient, String displayName, String subject, UUID batchId,
            byte[] tokenSecret, Instant linkExpiresAt, Instant createdAt, int attempts, String body) {

        /** A message without a text of its own (every kind but SYNC_NOTICE). */
        Claimed(UUID id, MailKind kind, UUID userId, String recipient, String displayName, String subject, UUID batchId,
                byte[] tokenSecret, Instant linkExpiresAt, Instant createdAt, int attempts) {
            this(id, kind, userId, recipient, displayName, subject, batchId, tokenSecret, linkExpiresAt, createdAt, attempts, null);
        }
    }

    /** How one delivery went: sent, to be retried, or given up. */
    enum Outcome {
        SENT, RETRY, FAILED
    }

    @Inject
    ReactiveMailer mailer;
    @Inject
    Instance<MockMailbox> mockMailbox;
    @Inject
    MailRenderer renderer;
    @Inject
    TokenCipher cipher;
    @Inject
    DataSource dataSource;
    @Inject
    Jdbc jdbc;
    @Inject
    Clock clock;
    @Inject
    AuditTrail audit;

    // Read once from MailConfig (and the mailer's mock switch) when the bean is made.
    final boolean enabled;
    final String from;
    final int concurrency;
    final double maxPerSecond;
    final int maxAttempts;
    final Duration retryBase;
    final Duration retryMax;
    final Duration lease;
    final Duration sendTimeout;
    final boolean keepLinks;
    final boolean mock;

    @Inject
    MailSender(MailConfig config, @ConfigProperty(name = "quarkus.mailer.mock", defaultValue = "false") boolean mock) {
        this.enabled = config.sender().enabled();
        this.from = config.from();
        this.concurrency = config.concurrency();
        this.maxPerSecond = config.maxPerSecond();
        this.maxAttempts = config.maxAttempts();
        this.retryBase = config.retryBase();
        this.retryMax = config.retryMax();
        this.lease = config.lease();
        this.sendTimeout = config.sendTimeout();
        this.keepLinks = config.sentMailPage().enabled();
        this.mock = mock;
    }

    private ExecutorService pool;
    private ExecutorService waker;
    private SendRateLimiter limiter;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile boolean stopping;

    @PostConstruct
    void start() {
        pool = BackgroundThreads.fixed("mail-sender", concurrency);
        waker = BackgroundThreads.single("mail-sender-wake");
        limiter = new SendRateLimiter(maxPerSecond);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        BackgroundThreads.stop(waker, true, Duration.ZERO);
        BackgroundThreads.stop(pool, false, Duration.ZERO);
    }

    @Scheduled(every = "${roster.mail.sender.interval:1s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (enabled) {
            drain();
        }
    }

    /** Wakes the sender as soon as a transaction that queued mail has committed. */
    void onQueued(@Observes(during = TransactionPhase.AFTER_SUCCESS) MailEvents.Queued queued) {
        if (enabled && !stopping) {
            waker.execute(this::drain);
        }
    }

    /** Sends everything that is due, one pass after another; one drain at a time per instance. */
    public void drain() {
        if (!draining.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        try {
            do {
                again.set(false);
                int batch = claimSize();
                while (!stopping && sendDue() == batch) {
                    // a full claim: more may be due
                }
            } while (again.get() && !stopping);
        } catch (RuntimeException e) {
            Log.warn("Mail sender pass failed; the next pass will try again", e);
        } finally {
            draining.set(false);
        }
    }

    /**
     * One pass: claims up to a batch of due messages, delivers them and records the outcomes.
     * Several passes may run at once (threads, instances): a message is claimed by one only.
     * Returns how many messages were claimed.
     */
    public int sendDue() {
        List<Claimed> claimed = claim(claimSize());
        if (claimed.isEmpty()) {
            return 0;
        }
        List<Future<Outcome>> running = new ArrayList<>(claimed.size());
        for (Claimed c : claimed) {
            running.add(pool.submit(() -> deliver(c)));
        }
        List<Claimed> sent = new ArrayList<>(claimed.size());
        for (int i = 0; i < running.size(); i++) {
            try {
                if (running.get(i).get() == Outcome.SENT) {
                    sent.add(claimed.get(i));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                Log.warn("Mail delivery task failed", e.getCause());
            }
        }
        // One transaction (and one audit append) for the whole pass: per message, the chain lock serialised the sender.
        recordSent(sent);
        if (mock && mockMailbox.isResolvable()) {
            // The local default keeps nothing in memory: the Sent mail page reads the outbox.
            mockMailbox.get().clear();
        }
        return claimed.size();
    }

    int claimSize() {
        return (int) Math.max(concurrency, Math.min(200, Math.ceil(maxPerSecond * 2)));
    }

    List<Claimed> claim(int max) {
        Instant now = clock.instant();
        Instant leaseEnd = now.plus(lease);
        return QuarkusTransaction.requiringNew().timeout(30).call(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    UPDATE mail_outbox m SET status = 'SENDING', attempts = m.attempts + 1, lease_until = ?,
                        next_attempt_at = ?, updated_at = ?
                    WHERE m.id IN (SELECT id FROM mail_outbox WHERE status IN ('PENDING', 'SENDING') AND next_attempt_at <= ?
                                   ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)
                    RETURNING m.id, m.kind, m.user_id, m.recipient, m.display_name, m.subject, m.batch_id, m.token_secret,
                        m.link_expires_at, m.created_at, m.attempts, m.body""")) {
                ps.setObject(1, utc(leaseEnd));
                ps.setObject(2, utc(leaseEnd));
                ps.setObject(3, utc(now));
                ps.setObject(4, utc(now));
                ps.setInt(5, max);
                List<Claimed> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Claimed(rs.getObject(1, UUID.class), MailKind.valueOf(rs.getString(2)),
                                rs.getObject(3, UUID.class), rs.getString(4), rs.getString(5), rs.getString(6),
                                rs.getObject(7, UUID.class), rs.getBytes(8), instant(rs.getObject(9, OffsetDateTime.class)),
                                instant(rs.getObject(10, OffsetDateTime.class)), rs.getInt(11), rs.getString(12)));
                    }
                }
                return out;
            }
        });
    }

    Outcome deliver(Claimed c) {
        RenderedMail rendered;
        try {
            rendered = render(c);
        } catch (RuntimeException e) {
            return recordFailure(c, "not sent: " + e.getMessage(), true);
        }
        try {
            limiter.acquire();
            Mail mail = Mail.withHtml(c.recipient(), rendered.subject(), rendered.html()).setText(rendered.text()).setFrom(from);
            mailer.send(mail).await().atMost(sendTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return recordFailure(c, "interrupted before sending", false);
        } catch (RuntimeException e) {
            SMTPException smtp = smtpCause(e);
            if (smtp != null) {
                return recordFailure(c, smtpReply(smtp), smtp.isPermanent());
            }
            return recordFailure(c, describe(e), false);
        }
        return Outcome.SENT;
    }

    private RenderedMail render(Claimed c) {
        String token = null;
        Instant at = c.createdAt();
        if (c.kind().hasLink()) {
            token = cipher.decrypt(c.id(), c.tokenSecret()).orElseThrow(() -> new IllegalStateException(
                    "the link's token cannot be read (roster.mail.token-key changed?); resend to issue a new link"));
            at = c.linkExpiresAt();
        }
        return renderer.render(c.kind(), c.subject(), c.displayName(), c.recipient(), token, at, c.body());
    }

    /** Marks delivered messages SENT in one statement and fires one event for those still ours (not re-claimed). */
    void recordSent(List<Claimed> sent) {
        if (sent.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        QuarkusTransaction.requiringNew().run(() -> {
            java.util.Set<UUID> marked = new java.util.HashSet<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    UPDATE mail_outbox SET status = 'SENT', sent_at = ?, updated_at = ?, lease_until = NULL, last_error = NULL,
                        token_secret = CASE WHEN ? THEN token_secret ELSE NULL END
                    WHERE id IN (SELECT unnest(?::uuid[])) AND status = 'SENDING' RETURNING id""")) {
                ps.setObject(1, utc(now));
                ps.setObject(2, utc(now));
                ps.setBoolean(3, keepLinks);
                ps.setArray(4, c.createArrayOf("uuid", sent.stream().map(Claimed::id).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        marked.add(rs.getObject(1, UUID.class));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            // In this transaction that marks them sent: one append for all of them, in the pass's order.
            List<AuditEventDraft> events = sent.stream().filter(c -> marked.contains(c.id()))
                    .map(c -> new AuditEventDraft(AuditAction.MAIL_SENT, c.userId(), c.recipient(), c.batchId(),
                            Map.<String, Object>of("messageId", c.id().toString(), "kind", c.kind().name())))
                    .toList();
            if (!events.isEmpty()) {
                jdbc.inCallersTransaction(c -> audit.recordAll(c, AuditActor.system(), events.iterator()));
            }
        });
    }

    Outcome recordFailure(Claimed c, String reply, boolean permanent) {
        Instant now = clock.instant();
        String error = reply.length() > 2000 ? reply.substring(0, 2000) : reply;
        if (permanent || c.attempts() >= maxAttempts) {
            Log.warnf("Mail %s to %s failed for good after %d attempt(s): %s", c.id(), c.recipient(), c.attempts(), error);
            return QuarkusTransaction.requiringNew().call(() -> {
                int updated = update("""
                        UPDATE mail_outbox SET status = 'FAILED', last_error = ?, updated_at = ?, lease_until = NULL,
                            token_secret = NULL
                        WHERE id = ? AND status = 'SENDING'""", error, utc(now), c.id());
                if (updated == 1) {
                    // In the transaction that marks the message failed for good; the SMTP reply is kept.
                    Map<String, Object> details = new LinkedHashMap<>();
                    details.put("messageId", c.id().toString());
                    details.put("kind", c.kind().name());
                    details.put("smtpReply", error);
                    jdbc.inCallersTransaction(connection -> audit.record(connection, AuditActor.system(),
                            new AuditEventDraft(AuditAction.MAIL_FAILED, c.userId(), c.recipient(), c.batchId(), details)));
                }
                return Outcome.FAILED;
            });
        }
        Instant next = now.plus(backoff(c.attempts()));
        Log.infof("Mail %s to %s: attempt %d failed (%s); next try at %s", c.id(), c.recipient(), c.attempts(), error, next);
        QuarkusTransaction.requiringNew().run(() -> update("""
                UPDATE mail_outbox SET status = 'PENDING', last_error = ?, next_attempt_at = ?, updated_at = ?, lease_until = NULL
                WHERE id = ? AND status = 'SENDING'""", error, utc(next), utc(now), c.id()));
        return Outcome.RETRY;
    }

    /** Exponential: base, 2 x base, 4 x base, ... capped, with up to 10% jitter so retries do not come in waves. */
    Duration backoff(int attempts) {
        long factor = 1L << Math.min(20, Math.max(0, attempts - 1));
        Duration d = retryBase.multipliedBy(factor);
        if (d.compareTo(retryMax) > 0) {
            d = retryMax;
        }
        return d.plusMillis(ThreadLocalRandom.current().nextLong(d.toMillis() / 10 + 1));
    }

    /** One statement on the connection of the caller's JTA transaction (Agroal enlists it). */
    private int update(String sql, Object... params) {
        return jdbc.withConnection(c -> Jdbc.update(c, sql, params));
    }

    static SMTPException smtpCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SMTPException s) {
                return s;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    static String smtpReply(SMTPException e) {
        String reply = e.getReplyMessages() == null || e.getReplyMessages().isEmpty()
                ? e.getMessage() : String.join(" / ", e.getReplyMessages());
        return reply == null ? "SMTP reply " + e.getReplyCode() : reply;
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
