package dev.roster.mail;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.util.GreenMail;

import dev.roster.directory.DirectoryUser;
import dev.roster.plan.UserStatus;
import dev.roster.support.GreenMailResource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.transaction.Transactional;

/** Directory users and received mails for the mail tests. */
@ApplicationScoped
public class MailFixtures {

    public static final Pattern LINK = Pattern.compile("http://localhost:8080/(invite|reset)/([A-Za-z0-9_-]{43})");

    @Transactional
    public DirectoryUser user(String email, UserStatus status, String givenName, String familyName, String displayName) {
        DirectoryUser u = new DirectoryUser();
        u.id = UUID.randomUUID();
        u.email = email;
        u.givenName = givenName;
        u.familyName = familyName;
        u.displayName = displayName;
        u.status = status;
        u.createdAt = Instant.now();
        u.updatedAt = u.createdAt;
        u.persist();
        return u;
    }

    @Transactional
    public DirectoryUser reload(UUID id) {
        return DirectoryUser.findById(id);
    }

    @Transactional
    public OutboxMessage message(UUID id) {
        return OutboxMessage.findById(id);
    }

    /** Received mails to this address, in arrival order. */
    public static List<MimeMessage> mailsTo(String address) {
        GreenMail greenMail = GreenMailResource.greenMail();
        List<MimeMessage> out = new ArrayList<>();
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            try {
                for (jakarta.mail.Address a : m.getRecipients(Message.RecipientType.TO)) {
                    if (((InternetAddress) a).getAddress().equalsIgnoreCase(address)) {
                        out.add(m);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** Waits (up to 20 s) for the n-th mail to this address with this subject. */
    public static MimeMessage awaitMail(String address, String subject, int count) {
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            List<MimeMessage> matching = mailsTo(address).stream().filter(m -> subject.equals(subjectOf(m))).toList();
            if (matching.size() >= count) {
                return matching.get(count - 1);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("no mail \"" + subject + "\" #" + count + " to " + address + " arrived");
    }

    public static String subjectOf(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The decoded text of the first part of this MIME type (text/plain, text/html). */
    public static String part(Part part, String mimeType) {
        try {
            if (part.isMimeType(mimeType)) {
                return (String) part.getContent();
            }
            if (part.getContent() instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart body = multipart.getBodyPart(i);
                    String found = part(body, mimeType);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The raw token of the link in a mail's plain-text part. */
    public static String tokenIn(MimeMessage m) {
        Matcher matcher = LINK.matcher(part(m, "text/plain"));
        if (!matcher.find()) {
            throw new AssertionError("no link in " + part(m, "text/plain"));
        }
        return matcher.group(2);
    }
}
