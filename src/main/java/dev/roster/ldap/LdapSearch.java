package dev.roster.ldap;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;

import dev.roster.sql.Jdbc;

/**
 * One search (RFC 4511 §4.5): the base and scope decide which parts of the tree are read (the fixed entries, users,
 * groups); the filter becomes SQL ({@link LdapFilterSql}); entries stream to the client a keyset page at a time. Size and
 * time limits, the paged results control (RFC 2696) with a cookie naming the part and the last id sent, and the
 * large-directory guard for filters no index serves. A bound directory user sees only their own entry (and the
 * containers); service accounts see the whole tree (docs/decisions/0034).
 */
final class LdapSearch {

    /** Sends one entry to the client. */
    interface Sink {
        void send(Entry entry) throws LDAPException;
    }

    /** How the search ended, with the paged results control to send back (if one was asked for). */
    record Done(ResultCode code, String matchedDn, String message, List<Control> controls) {
    }

    private enum Part {
        FIXED, USERS, GROUPS
    }

    /** A position in the tree's reading order: the part, and the index (fixed) or the last id sent (users, groups). */
    private record Cursor(Part part, int index, UUID last) {
        static final Cursor START = new Cursor(Part.FIXED, 0, null);

        ASN1OctetString encode() {
            String text = "r1:" + part.ordinal() + ":" + index + ":" + (last == null ? "" : last.toString());
            return new ASN1OctetString(text.getBytes(StandardCharsets.US_ASCII));
        }

        static Cursor decode(ASN1OctetString cookie) throws LDAPException {
            if (cookie == null || cookie.getValueLength() == 0) {
                return START;
            }
            try {
                String[] p = cookie.stringValue().split(":", -1);
                if (p.length != 4 || !p[0].equals("r1")) {
                    throw new IllegalArgumentException();
                }
                int index = Integer.parseInt(p[2]);
                if (index < 0) {
                    throw new IllegalArgumentException();
                }
                return new Cursor(Part.values()[Integer.parseInt(p[1])], index,
                        p[3].isEmpty() ? null : UUID.fromString(p[3]));
            } catch (RuntimeException e) {
                throw new LDAPException(ResultCode.UNWILLING_TO_PERFORM, "The paged results cookie is not one this server "
                        + "gave; start the search again without a cookie.");
            }
        }
    }

    /** What the base and scope reach. */
    private record Reach(List<Entry> fixed, boolean users, boolean groups, String onlyUid, String onlyGroup) {
    }

    private static final int CHUNK = 500;

    private final LdapTree tree;
    private final LdapFilterSql filters;
    private final LdapDirectory directory;
    private final LdapSettings settings;
    private final Jdbc jdbc;
    private final java.util.concurrent.Semaphore running;

    LdapSearch(LdapTree tree, LdapSettings settings, Jdbc jdbc) {
        this.tree = tree;
        this.filters = new LdapFilterSql(tree);
        this.directory = new LdapDirectory(tree, settings.maxGroupMembers());
        this.settings = settings;
        this.jdbc = jdbc;
        this.running = new java.util.concurrent.Semaphore(Math.max(1, settings.maxConcurrentSearches()), true);
    }

    /** Refuses a filter too large or too deeply nested to translate (adminLimitExceeded, 11). */
    void checkFilter(Filter filter) throws LDAPException {
        int[] components = {0};
        if (depth(filter, 1, components) > settings.maxFilterDepth() || components[0] > settings.maxFilterComponents()) {
            throw new LDAPException(ResultCode.ADMIN_LIMIT_EXCEEDED, "The filter is too large: at most "
                    + settings.maxFilterComponents() + " components nested at most " + settings.maxFilterDepth()
                    + " deep.");
        }
    }

    private int depth(Filter f, int level, int[] components) {
        components[0]++;
        if (level > settings.maxFilterDepth() || components[0] > settings.maxFilterComponents()) {
            return level; // stop early: already over a limit
        }
        int deepest = level;
        if (f.getNOTComponent() != null) {
            deepest = Math.max(deepest, depth(f.getNOTComponent(), level + 1, components));
        }
        for (Filter c : f.getComponents()) {
            deepest = Math.max(deepest, depth(c, level + 1, components));
        }
        return deepest;
    }

    Done search(LdapPrincipal who, SearchRequestProtocolOp request, List<Control> controls, Sink sink) throws LDAPException {
        SimplePagedResultsControl paged = pagedControl(controls);
        LdapTree.Node base = tree.classify(request.getBaseDN());
        SearchScope scope = request.getScope();
        LdapAttributes attrs = new LdapAttributes(request.getAttributes(), request.typesOnly());
        Filter filter = request.getFilter();
        if (base.kind() == LdapTree.Kind.ROOT_DSE || base.kind() == LdapTree.Kind.SCHEMA) {
            if (scope == SearchScope.BASE) {
                Entry e = base.kind() == LdapTree.Kind.ROOT_DSE ? tree.rootDse() : tree.schema();
                if (filter.matchesEntry(e)) {
                    sink.send(attrs.select(e));
                }
            }
            return done(ResultCode.SUCCESS, null, paged, null);
        }
        if (base.kind() == LdapTree.Kind.NONE || base.kind() == LdapTree.Kind.SERVICE) {
            return new Done(ResultCode.NO_SUCH_OBJECT, tree.matchedDn(base.dn()),
                    "No entry " + request.getBaseDN() + " in this directory (base " + tree.base() + ").", List.of());
        }
        checkFilter(filter);
        if (paged != null && paged.getSize() < 0) {
            throw new LDAPException(ResultCode.PROTOCOL_ERROR, "The paged results control's size is negative.");
        }
        Reach scoped = reach(base, scope);
        if (who.kind() == LdapPrincipal.Kind.USER) {
            // A user reads their own entry only (docs/decisions/0034).
            if (scoped.onlyUid() != null && !scoped.onlyUid().equalsIgnoreCase(who.name())) {
                return notFoundOrEmpty(base, scoped, paged);
            }
            scoped = new Reach(scoped.fixed(), scoped.users(), false, null, null);
        }
        Reach reach = scoped;
        Instant deadline = Instant.now().plus(timeLimit(request.getTimeLimit()));
        LdapFilterSql.Where userWhere = !reach.users() ? null
                : who != null && who.kind() == LdapPrincipal.Kind.USER
                        ? restrict(filters.where(filter, LdapFilterSql.Table.USERS), "u.id = ?", who.id())
                        : restrict(filters.where(filter, LdapFilterSql.Table.USERS),
                                "lower(" + LdapFilterSql.USER_UID + ") = ?", reach.onlyUid());
        LdapFilterSql.Where groupWhere = reach.groups() ? restrict(filters.where(filter, LdapFilterSql.Table.GROUPS),
                "lower(g.name) = ?", reach.onlyGroup()) : null;
        int pageSize = paged == null ? Integer.MAX_VALUE : Math.min(paged.getSize(), settings.maxPageSize());
        int sizeLimit = paged != null ? Integer.MAX_VALUE
                : request.getSizeLimit() > 0 ? Math.min(request.getSizeLimit(), settings.maxResults()) : settings.maxResults();
        if (paged != null && paged.getSize() == 0) {
            return done(ResultCode.SUCCESS, null, paged, null); // size 0: the client abandons the paged search (RFC 2696 §3)
        }
        Cursor cursor = Cursor.decode(paged == null ? null : paged.getCookie());
        boolean admitted;
        try {
            admitted = running.tryAcquire(BUSY_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            throw new LDAPException(ResultCode.BUSY, "Too many searches are running; try again in a moment.");
        }
        try {
            return jdbc.withConnection(c -> {
                try {
                    guard(c, userWhere, "directory_user", "users");
                    guard(c, groupWhere, "user_group", "groups");
                    return run(c, reach, filter, attrs, userWhere, groupWhere, cursor, pageSize, sizeLimit, deadline, paged,
                            sink);
                } catch (LDAPException e) {
                    throw new SQLException(e);
                }
            });
        } finally {
            running.release();
        }
    }

    /** How long a search waits for a free place among roster.ldap.max-concurrent-searches before answering busy. */
    private static final Duration BUSY_WAIT = Duration.ofSeconds(5);

    private Done notFoundOrEmpty(LdapTree.Node base, Reach reach, SimplePagedResultsControl paged) {
        if (base.kind() == LdapTree.Kind.USER) {
            // Another user's entry is not there for this user, as if it did not exist.
            return new Done(ResultCode.NO_SUCH_OBJECT, tree.people().toString(), "No entry " + base.dn() + ".", List.of());
        }
        return done(ResultCode.SUCCESS, null, paged, null);
    }

    private Done run(Connection c, Reach reach, Filter filter, LdapAttributes attrs, LdapFilterSql.Where userWhere,
            LdapFilterSql.Where groupWhere, Cursor from, int pageSize, int sizeLimit, Instant deadline,
            SimplePagedResultsControl paged, Sink sink) throws SQLException, LDAPException {
        int sent = 0;
        Cursor at = from;
        if (at.part() == Part.FIXED) {
            for (int i = at.index(); i < reach.fixed().size(); i++) {
                Entry e = reach.fixed().get(i);
                if (!filter.matchesEntry(e)) {
                    continue;
                }
                if (sent == sizeLimit) {
                    return sizeExceeded(sizeLimit);
                }
                if (sent == pageSize) {
                    return done(ResultCode.SUCCESS, null, paged, new Cursor(Part.FIXED, i, null));
                }
                sink.send(attrs.select(e));
                sent++;
            }
            at = new Cursor(Part.USERS, 0, null);
        }
        for (Part part : List.of(Part.USERS, Part.GROUPS)) {
            if (at.part().ordinal() > part.ordinal()) {
                continue;
            }
            LdapFilterSql.Where where = part == Part.USERS ? userWhere : groupWhere;
            UUID last = at.part() == part ? at.last() : null;
            if (where != null && where.cost() != LdapFilterSql.Cost.NONE) {
                while (true) {
                    long left = Duration.between(Instant.now(), deadline).toSeconds();
                    if (left <= 0) {
                        return new Done(ResultCode.TIME_LIMIT_EXCEEDED, null, "The search ran out of time after "
                                + sent + " entries.", List.of());
                    }
                    int want = (int) Math.min(CHUNK, Math.min((long) pageSize - sent, (long) sizeLimit - sent) + 1);
                    if (want <= 0) {
                        break;
                    }
                    LdapDirectory.Page page;
                    try {
                        page = part == Part.USERS ? directory.users(c, where, last, want, attrs, (int) left)
                                : directory.groups(c, where, last, want, attrs, (int) left);
                    } catch (SQLException e) {
                        if ("57014".equals(e.getSQLState())) {
                            return new Done(ResultCode.TIME_LIMIT_EXCEEDED, null, "The search ran out of time after "
                                    + sent + " entries.", List.of());
                        }
                        throw e;
                    }
                    List<Entry> entries = page.entries();
                    for (int i = 0; i < entries.size(); i++) {
                        if (sent == sizeLimit) {
                            return sizeExceeded(sizeLimit);
                        }
                        if (sent == pageSize) {
                            return done(ResultCode.SUCCESS, null, paged, new Cursor(part, 0, last));
                        }
                        sink.send(attrs.select(entries.get(i)));
                        sent++;
                        last = idOf(entries.get(i));
                    }
                    if (entries.size() < want) {
                        break;
                    }
                }
            }
        }
        return done(ResultCode.SUCCESS, null, paged, null);
    }

    private static UUID idOf(Entry e) {
        return UUID.fromString(e.getAttributeValue("entryUUID"));
    }

    private Done sizeExceeded(int limit) {
        return new Done(ResultCode.SIZE_LIMIT_EXCEEDED, null, "More than " + limit + " entries match; narrow the filter "
                + "or page the search (paged results control, RFC 2696).", List.of());
    }

    private static Done done(ResultCode code, String message, SimplePagedResultsControl paged, Cursor next) {
        List<Control> out = new ArrayList<>();
        if (paged != null) {
            out.add(new SimplePagedResultsControl(0, next == null ? new ASN1OctetString() : next.encode(), false));
        }
        return new Done(code, null, message, out);
    }

    private Reach reach(LdapTree.Node base, SearchScope scope) {
        List<Entry> fixed = tree.fixedEntries();
        Entry baseEntry = fixed.get(0);
        List<Entry> containers = fixed.subList(1, 4);
        boolean base0 = scope == SearchScope.BASE;
        boolean one = scope == SearchScope.ONE;
        boolean subordinates = scope == SearchScope.SUBORDINATE_SUBTREE;
        return switch (base.kind()) {
            case BASE -> base0 ? new Reach(List.of(baseEntry), false, false, null, null)
                    : one ? new Reach(containers, false, false, null, null)
                    : new Reach(subordinates ? containers : fixed, true, true, null, null);
            case PEOPLE -> base0 ? new Reach(List.of(fixed.get(1)), false, false, null, null)
                    : new Reach(one || subordinates ? List.of() : List.of(fixed.get(1)), true, false, null, null);
            case GROUPS -> base0 ? new Reach(List.of(fixed.get(2)), false, false, null, null)
                    : new Reach(one || subordinates ? List.of() : List.of(fixed.get(2)), false, true, null, null);
            case SERVICES -> new Reach(base0 || scope == SearchScope.SUB ? List.of(fixed.get(3)) : List.of(), false, false,
                    null, null);
            case USER -> base0 || scope == SearchScope.SUB ? new Reach(List.of(), true, false, base.name(), null)
                    : new Reach(List.of(), false, false, null, null);
            case GROUP -> base0 || scope == SearchScope.SUB ? new Reach(List.of(), false, true, null, base.name())
                    : new Reach(List.of(), false, false, null, null);
            default -> new Reach(List.of(), false, false, null, null);
        };
    }

    private static LdapFilterSql.Where restrict(LdapFilterSql.Where where, String condition, Object value) {
        if (value == null) {
            return where;
        }
        List<Object> args = new ArrayList<>(where.args());
        args.add(value instanceof String text ? text.toLowerCase(java.util.Locale.ROOT) : value);
        LdapFilterSql.Cost cost = where.cost() == LdapFilterSql.Cost.NONE ? LdapFilterSql.Cost.NONE : LdapFilterSql.Cost.INDEXED;
        return new LdapFilterSql.Where("(" + where.sql() + " AND " + condition + ")", args, cost);
    }

    private void guard(Connection c, LdapFilterSql.Where where, String table, String what) throws SQLException, LDAPException {
        if (where == null || where.cost() != LdapFilterSql.Cost.SCAN) {
            return;
        }
        long rows = Jdbc.one(c, "SELECT reltuples::bigint FROM pg_class WHERE oid = ?::regclass",
                rs -> rs.getLong(1), table).orElse(0L);
        if (rows <= 0) {
            // Never analysed (-1) or analysed empty: count, but no further than the limit.
            rows = Jdbc.one(c, "SELECT count(*) FROM (SELECT 1 FROM " + table + " LIMIT ?) t", rs -> rs.getLong(1),
                    settings.unindexedFilterMaxRows() + 1).orElse(0L);
        }
        if (rows > settings.unindexedFilterMaxRows()) {
            throw new LDAPException(ResultCode.ADMIN_LIMIT_EXCEEDED, "This filter would read all " + rows + " " + what
                    + ": no index serves it. Include (uid=...), (mail=...), (entryUUID=...), (memberOf=<group DN>) or, for "
                    + "groups, (cn=...) or (member=<user DN>) with equality, alone or joined with &.");
        }
    }

    private Duration timeLimit(int clientSeconds) {
        Duration max = settings.timeLimit();
        return clientSeconds > 0 && Duration.ofSeconds(clientSeconds).compareTo(max) < 0 ? Duration.ofSeconds(clientSeconds) : max;
    }

    private static SimplePagedResultsControl pagedControl(List<Control> controls) throws LDAPException {
        for (Control c : controls) {
            if (LdapTree.PAGED_RESULTS.equals(c.getOID())) {
                return new SimplePagedResultsControl(c.getOID(), c.isCritical(), c.getValue());
            }
        }
        return null;
    }

    static DN dn(String text) throws LDAPException {
        return new DN(text);
    }
}
