package dev.roster.reset;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import dev.roster.access.SignInFailures;
import dev.roster.audit.AuditAction;
import dev.roster.audit.AuditActor;
import dev.roster.audit.AuditEventDraft;
import dev.roster.audit.AuditTrail;
import dev.roster.background.BackgroundThreads;
import dev.roster.credentials.TokenPurpose;
import dev.roster.directory.DirectoryUser;
import dev.roster.plan.UserStatus;
import dev.roster.sql.Jdbc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The "Forgot your password?" requests of directory users (decision 0036). A request is answered at once and the
 * same way for every account; only afterwards, on a background thread, is the account looked up and, when it exists,
 * is not suspended and has an e-mail, a reset link issued through the outbox (PasswordLinks, the CSV reset's
 * machinery). So neither the page nor its timing says whether an account exists. Throttled per IP (before the
 * answer) and per account (after the look-up, silently: at most roster.reset.forgot-per-account mails per window).
 */
@ApplicationScoped
public class ForgotPassword {

    /** Longer than any username or e-mail (RFC 5321 caps a path at 256): nothing to look up. */
    static final int MAX_NAME = 320;
    static final String ALL_MAILS = "forgot all accounts";
    static final String ALL_ACCOUNTS = "(all accounts)";
    private static final Logger LOG = Logger.getLogger(ForgotPassword.class);

    @Inject
    TokenGuessThrottle throttle;
    @Inject
    ResetThrottleConfig config;
    @Inject
    PasswordLinks links;
    @Inject
    SignInFailures failures;
    @Inject
    SelfServiceConfig selfService;
    @Inject
    AuditTrail audit;
    @Inject
    Jdbc jdbc;
    @Inject
    MeterRegistry metrics;

    private ExecutorService executor;
    private Counter dropped;
    private final AtomicLong lastDropWarning = new AtomicLong();
    private final AtomicLong limitReportedAt = new AtomicLong();

    @PostConstruct
    void start() {
        executor = BackgroundThreads.bounded("forgot-password", 1, 1_000);
        dropped = Counter.builder("roster.self-service.forgot.dropped")
                .description("Forgot-your-password requests dropped because a thousand were already waiting")
                .register(metrics);
    }

    @PreDestroy
    void stop() {
        BackgroundThreads.stop(executor, false, Duration.ofSeconds(5));
    }

    /**
     * Takes a request for the username or e-mail typed: false when this IP has made too many (the page answers 429),
     * true otherwise, whatever becomes of it.
     */
    public boolean request(String name, String ip, String userAgent) {
        if (!throttle.allow("forgot ip " + TokenGuessThrottle.network(ip), config.forgotPerIp(), config.forgotWindow())) {
            return false;
        }
        String typed = name == null ? "" : name.trim();
        if (typed.isEmpty() || typed.length() > MAX_NAME) {
            return true;
        }
        try {
            executor.execute(() -> handle(typed, ip, userAgent));
        } catch (RejectedExecutionException e) {
            dropped.increment();
            long now = System.currentTimeMillis();
            long last = lastDropWarning.get();
            // One line a minute at most: a flood must not become a flood of log lines (the metric counts them all).
            if (now - last >= 60_000 && lastDropWarning.compareAndSet(last, now)) {
                LOG.warn("Forgot-your-password requests are being dropped: a thousand are already waiting"
                        + " (metric roster.self-service.forgot.dropped counts them)");
            }
        }
        return true;
    }

    private void handle(String name, String ip, String userAgent) {
        try {
            QuarkusTransaction.requiringNew().run(() -> issueOrRefuse(name, ip, userAgent));
        } catch (RuntimeException e) {
            LOG.error("A Forgot-your-password request could not be handled", e);
        }
    }

    private void issueOrRefuse(String name, String ip, String userAgent) {
        List<DirectoryUser> found = DirectoryUser.findBySignInName(name);
        String refusal = refusal(found);
        if (refusal == null && !selfService.invitedWithoutInvitation() && neverInvited(found.get(0))) {
            refusal = "invited without invitation";
        }
        if (refusal == null) {
            DirectoryUser user = found.get(0);
            if (!throttle.allow("forgot account " + user.id, config.forgotPerAccount(), config.forgotWindow())) {
                refusal = "throttled";
            } else if (!throttle.allow(ALL_MAILS, selfService.mailsPerHour(), Duration.ofHours(1))) {
                refusal = "hourly mail limit reached";
                reportLimitOnce(ip, userAgent);
            } else {
                links.issue(new LinkRequest(user.id, user.email, user.name(), TokenPurpose.RESET, null),
                        AuditActor.selfService(ip, userAgent));
                return;
            }
        }
        // Bounded and aggregated like failed sign-ins: whatever is typed, however often, a few events per window.
        failures.record(name, null, refusal, ip, userAgent, SignInFailures.FORGOT);
    }

    /** An INVITED user no invitation was ever issued to (send_invite=false, created by SCIM). */
    private static boolean neverInvited(DirectoryUser user) {
        return user.status == UserStatus.INVITED
                && PasswordToken.count("userId = ?1 and purpose = ?2", user.id, TokenPurpose.INVITE) == 0;
    }

    /** One audit event per hour at most when the overall limit stops mails (the failures after it are aggregated). */
    private void reportLimitOnce(String ip, String userAgent) {
        long now = System.currentTimeMillis();
        long last = limitReportedAt.get();
        if (now - last >= Duration.ofHours(1).toMillis() && limitReportedAt.compareAndSet(last, now)) {
            LOG.warnf("The Forgot-your-password page reached roster.self-service.mails-per-hour (%d): further requests"
                    + " this hour send nothing", selfService.mailsPerHour());
            jdbc.inCallersTransaction(c -> audit.record(c, AuditActor.selfService(ip, userAgent),
                    new AuditEventDraft(AuditAction.PASSWORD_SELF_SERVICE_REFUSED, null, null, null,
                            Map.of("account", ALL_ACCOUNTS, "reason", "hourly mail limit reached", "page",
                                    SignInFailures.FORGOT))));
        }
    }

    /** Why no link goes out to the users found; null when one may. */
    static String refusal(List<DirectoryUser> found) {
        if (found.isEmpty()) {
            return "unknown account";
        }
        if (found.size() > 1) {
            return "names more than one user";
        }
        DirectoryUser user = found.get(0);
        if (user.status != UserStatus.ACTIVE && user.status != UserStatus.INVITED) {
            return "account " + user.status.name().toLowerCase(java.util.Locale.ROOT);
        }
        if (user.email == null || user.email.isBlank()) {
            return "no e-mail";
        }
        return null;
    }
}
