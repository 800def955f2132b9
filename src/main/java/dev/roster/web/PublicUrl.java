package dev.roster.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;

/**
 * roster.public-url (ROSTER_PUBLIC_URL): the base of Roster's own links (in mails, SCIM locations), never taken
 * from a request's Host header. Its value is in application.properties, beside the other settings a production
 * start must review. (A mapping of its own: a mapping of all of roster.* would claim every other feature's keys.)
 */
@ConfigMapping(prefix = "roster.public-url")
public interface PublicUrl {
    @WithParentName
    String value();
}
