package dev.roster.mail;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** How mail leaves Roster, for pages ({inject:mailSettings.smtp}). */
@ApplicationScoped
@Named("mailSettings")
public class MailSettings {

    @ConfigProperty(name = "quarkus.mailer.mock", defaultValue = "false")
    boolean mock;

    /** True when a real SMTP server receives the mail; false in the local default (quarkus.mailer.mock=true). */
    public boolean isSmtp() {
        return !mock;
    }
}
