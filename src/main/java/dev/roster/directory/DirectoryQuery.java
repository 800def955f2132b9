package dev.roster.directory;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import dev.roster.plan.UserStatus;
import dev.roster.web.PageOf;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.panache.common.Page;
import jakarta.enterprise.context.ApplicationScoped;

/** Server-side search, filter and paging of directory users. */
@ApplicationScoped
public class DirectoryQuery {

    /** The same expression as the trigram index directory_user_search_idx, so the index serves it. */
    private static final String SEARCH_TEXT = "lower(coalesce(email, '')) || ' ' || lower(coalesce(username, '')) || ' ' "
            + "|| lower(coalesce(givenName, '')) || ' ' "
            + "|| lower(coalesce(familyName, '')) || ' ' || lower(coalesce(displayName, ''))";

    public PageOf<DirectoryUser> search(String q, UserStatus status, int page, int size) {
        StringBuilder where = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (q != null && !q.isBlank()) {
            where.append(" and ").append(SEARCH_TEXT).append(" like :q");
            params.put("q", "%" + escapeLike(q.trim().toLowerCase(Locale.ROOT)) + "%");
        }
        if (status != null) {
            where.append(" and status = :status");
            params.put("status", status);
        }
        // directory_user_identifier_idx holds this order, so the first pages come straight from it.
        PanacheQuery<DirectoryUser> query = DirectoryUser.find(where + " order by lower(coalesce(email, username)), id", params);
        long total = query.count();
        return new PageOf<>(query.page(Page.of(page - 1, size)).list(), total, page, size);
    }

    private static String escapeLike(String value) {
        return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    @jakarta.inject.Inject
    dev.roster.sql.Jdbc jdbc;

    /** A user's pending dated changes (#26), soonest first. */
    public List<ScheduledChanges.Pending> pendingDatedChanges(UUID userId) {
        return jdbc.inTransaction(c -> ScheduledChanges.pendingOf(c, userId));
    }
}
