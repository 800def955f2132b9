package dev.roster.plan;

import java.util.Collection;
import java.util.Map;

/** Set-based read access to current users; the planner calls each method at most once per chunk of rows. */
public interface DirectoryView {

    /** Users by email; keys of the result are lower-cased emails. Deleted users are included. */
    Map<String, UserSnapshot> findByEmails(Collection<String> lowercasedEmails);

    /** Users by external id; keys of the result are the external ids as given. Deleted users are included. */
    Map<String, UserSnapshot> findByExternalIds(Collection<String> externalIds);
}
