package dev.roster.ldap;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;

/**
 * The attributes a search asked for (RFC 4511 §4.5.1.8): none listed or {@code *} for every user attribute, {@code +}
 * for the operational ones (RFC 3673), {@code 1.1} for none, names for those. Plain Java.
 */
public final class LdapAttributes {

    /** Returned only when asked for by name or with "+". */
    static final Set<String> OPERATIONAL = Set.of("entryuuid", "createtimestamp", "modifytimestamp", "entrydn",
            "subschemasubentry", "hassubordinates", "namingcontexts", "supportedldapversion", "supportedcontrol",
            "supportedextension", "supportedfeatures", "supportedsaslmechanisms", "vendorname", "attributetypes",
            "objectclasses", "ldapsyntaxes", "matchingrules", "matchingruleuse", "ditcontentrules", "ditstructurerules",
            "nameforms");

    private final boolean allUser;
    private final boolean allOperational;
    private final Set<String> named = new HashSet<>();
    private final boolean typesOnly;

    public LdapAttributes(List<String> requested, boolean typesOnly) {
        boolean user = requested == null || requested.isEmpty();
        boolean operational = false;
        boolean noneOnly = false;
        if (requested != null) {
            for (String r : requested) {
                String n = base(r);
                switch (n) {
                    case "*" -> user = true;
                    case "+" -> operational = true;
                    case "1.1" -> noneOnly = true;
                    default -> named.add(n);
                }
            }
        }
        if (noneOnly && requested.size() == 1) {
            user = false;
        }
        this.allUser = user;
        this.allOperational = operational;
        this.typesOnly = typesOnly;
    }

    private static String base(String name) {
        String n = name.toLowerCase(Locale.ROOT).strip();
        int options = n.indexOf(';');
        return options >= 0 ? n.substring(0, options) : n;
    }

    /** Whether the answer includes the attribute (so costly ones, memberOf and member, are read only when asked for). */
    public boolean wants(String name) {
        String n = base(name);
        if (named.contains(n)) {
            return true;
        }
        return OPERATIONAL.contains(n) ? allOperational : allUser;
    }

    /** The entry as the client asked to see it. */
    public Entry select(Entry full) {
        Entry out = new Entry(full.getDN());
        for (Attribute a : full.getAttributes()) {
            if (wants(a.getBaseName())) {
                out.addAttribute(typesOnly ? new Attribute(a.getName()) : a);
            }
        }
        return out;
    }
}
