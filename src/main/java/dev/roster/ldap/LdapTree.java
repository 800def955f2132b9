package dev.roster.ldap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.schema.Schema;

/**
 * The shape of the tree under the base DN (docs/ldap.md): users {@code uid=<username or email>,ou=people}, groups
 * {@code cn=<name>,ou=groups}, service accounts {@code cn=<name>,ou=services}; the rootDSE and {@code cn=schema}.
 * Names DNs and tells what a DN is. Plain Java.
 */
public final class LdapTree {

    /** OIDs the rootDSE advertises. */
    public static final String PAGED_RESULTS = "1.2.840.113556.1.4.319";
    public static final String WHO_AM_I = "1.3.6.1.4.1.4203.1.11.3";
    public static final String PASSWORD_MODIFY = "1.3.6.1.4.1.4203.1.11.1";
    public static final String START_TLS = "1.3.6.1.4.1.1466.20037";
    /** All operational attributes with "+" (RFC 3673). */
    static final String ALL_OPERATIONAL_FEATURE = "1.3.6.1.4.1.4203.1.5.1";
    public static final String SCHEMA_DN = "cn=schema";

    /** What a DN names. */
    public enum Kind {
        ROOT_DSE, SCHEMA, BASE, PEOPLE, GROUPS, SERVICES, USER, GROUP, SERVICE, NONE
    }

    /** A DN told apart: its kind and, for a user, group or service, the RDN's value. */
    public record Node(Kind kind, String name, DN dn) {
    }

    private final DN base;
    private final DN people;
    private final DN groups;
    private final DN services;
    private final boolean startTls;

    public LdapTree(String baseDn, boolean startTls) {
        try {
            this.base = new DN(baseDn);
            this.people = new DN(new RDN("ou", "people"), base);
            this.groups = new DN(new RDN("ou", "groups"), base);
            this.services = new DN(new RDN("ou", "services"), base);
        } catch (LDAPException e) {
            throw new IllegalArgumentException("roster.ldap.base-dn \"" + baseDn + "\" is not a DN: " + e.getMessage(), e);
        }
        if (base.isNullDN()) {
            throw new IllegalArgumentException("roster.ldap.base-dn is empty; set a DN such as dc=example,dc=com");
        }
        this.startTls = startTls;
    }

    public DN base() {
        return base;
    }

    public DN people() {
        return people;
    }

    public DN groups() {
        return groups;
    }

    public DN services() {
        return services;
    }

    public String userDn(String uid) {
        return new DN(new RDN("uid", uid), people).toString();
    }

    public String groupDn(String name) {
        return new DN(new RDN("cn", name), groups).toString();
    }

    public String serviceDn(String name) {
        return new DN(new RDN("cn", name), services).toString();
    }

    /** What the DN names; {@link Kind#NONE} for anything outside the tree or of the wrong shape. */
    public Node classify(String dnText) throws LDAPException {
        DN dn;
        try {
            dn = new DN(dnText == null ? "" : dnText);
        } catch (LDAPException e) {
            throw new LDAPException(ResultCode.INVALID_DN_SYNTAX, "\"" + dnText + "\" is not a DN: " + e.getMessage());
        }
        if (dn.isNullDN()) {
            return new Node(Kind.ROOT_DSE, null, dn);
        }
        if (dn.equals(new DN(SCHEMA_DN))) {
            return new Node(Kind.SCHEMA, null, dn);
        }
        if (dn.equals(base)) {
            return new Node(Kind.BASE, null, dn);
        }
        if (dn.equals(people)) {
            return new Node(Kind.PEOPLE, null, dn);
        }
        if (dn.equals(groups)) {
            return new Node(Kind.GROUPS, null, dn);
        }
        if (dn.equals(services)) {
            return new Node(Kind.SERVICES, null, dn);
        }
        DN parent = dn.getParent();
        RDN rdn = dn.getRDN();
        if (parent == null || rdn == null || rdn.isMultiValued()) {
            return new Node(Kind.NONE, null, dn);
        }
        String attr = rdn.getAttributeNames()[0].toLowerCase(Locale.ROOT);
        String value = rdn.getAttributeValues()[0];
        if (parent.equals(people) && attr.equals("uid")) {
            return new Node(Kind.USER, value, dn);
        }
        if (parent.equals(groups) && attr.equals("cn")) {
            return new Node(Kind.GROUP, value, dn);
        }
        if (parent.equals(services) && attr.equals("cn")) {
            return new Node(Kind.SERVICE, value, dn);
        }
        return new Node(Kind.NONE, null, dn);
    }

    /** The entry nearest above dn that exists among the fixed ones (for noSuchObject's matchedDN). */
    public String matchedDn(DN dn) {
        for (DN d : List.of(people, groups, services, base)) {
            if (dn.isDescendantOf(d, false)) {
                return d.toString();
            }
        }
        return "";
    }

    public Entry rootDse() {
        Entry e = new Entry("");
        e.addAttribute("objectClass", "top");
        e.addAttribute("namingContexts", base.toString());
        e.addAttribute("subschemaSubentry", SCHEMA_DN);
        e.addAttribute("supportedLDAPVersion", "3");
        e.addAttribute("supportedControl", PAGED_RESULTS);
        List<String> extensions = new ArrayList<>(List.of(WHO_AM_I, PASSWORD_MODIFY));
        if (startTls) {
            extensions.add(START_TLS);
        }
        e.addAttribute("supportedExtension", extensions);
        e.addAttribute("supportedFeatures", ALL_OPERATIONAL_FEATURE);
        e.addAttribute("supportedSASLMechanisms", new String[0]);
        e.addAttribute("vendorName", "Roster");
        return e;
    }

    public Entry schema() {
        try {
            Entry e = Schema.getDefaultStandardSchema().getSchemaEntry().duplicate();
            e.setDN(SCHEMA_DN);
            return e;
        } catch (LDAPException e) {
            throw new IllegalStateException("the SDK's standard schema is unreadable", e);
        }
    }

    /** The base entry and the three containers, in tree order. */
    public List<Entry> fixedEntries() {
        return List.of(baseEntry(), container(people, "people"), container(groups, "groups"), container(services, "services"));
    }

    private Entry baseEntry() {
        Entry e = new Entry(base);
        RDN rdn = base.getRDN();
        String attr = rdn.getAttributeNames()[0];
        String value = rdn.getAttributeValues()[0];
        String objectClass = switch (attr.toLowerCase(Locale.ROOT)) {
            case "dc" -> "domain";
            case "o" -> "organization";
            case "ou" -> "organizationalUnit";
            default -> "extensibleObject";
        };
        e.addAttribute("objectClass", "top", objectClass);
        e.addAttribute(attr, value);
        return e;
    }

    private static Entry container(DN dn, String ou) {
        Entry e = new Entry(dn);
        e.addAttribute("objectClass", "top", "organizationalUnit");
        e.addAttribute("ou", ou);
        return e;
    }
}
