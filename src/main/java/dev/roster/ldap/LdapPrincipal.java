package dev.roster.ldap;

import java.util.UUID;

/** Who a connection is bound as: a directory user or a service account (with its right), or nobody. */
public record LdapPrincipal(Kind kind, UUID id, String dn, String name, ServiceAccounts.Right right) {

    public enum Kind {
        USER, SERVICE
    }

    static LdapPrincipal user(UUID id, String dn, String uid) {
        return new LdapPrincipal(Kind.USER, id, dn, uid, null);
    }

    static LdapPrincipal service(UUID id, String dn, String name, ServiceAccounts.Right right) {
        return new LdapPrincipal(Kind.SERVICE, id, dn, name, right);
    }

    boolean isService() {
        return kind == Kind.SERVICE;
    }

    boolean mayResetPasswords() {
        return kind == Kind.SERVICE && right == ServiceAccounts.Right.PASSWORD_MANAGER;
    }
}
