package dev.roster.ldap;

import java.io.File;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

import com.unboundid.ldap.listener.LDAPListener;
import com.unboundid.ldap.listener.LDAPListenerConfig;
import com.unboundid.ldap.listener.LDAPListenerRequestHandler;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.PEMFileKeyManager;

import dev.roster.sql.Jdbc;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The LDAPv3 service (#25, docs/ldap.md): UnboundID's listener on roster.ldap.host:port (plain, with StartTLS when a
 * certificate is configured) and on ldaps-port (TLS), started with Roster when roster.ldap.enabled, each connection
 * answered by an {@link LdapRequestHandler} over PostgreSQL.
 */
@ApplicationScoped
public class LdapService {

    @Inject
    LdapSettings settings;
    @Inject
    Jdbc jdbc;
    @Inject
    LdapBinds binds;
    @Inject
    LdapPasswords passwords;
    @Inject
    ServiceAccounts services;

    private LdapTree tree;
    private LdapSearch search;
    private final List<LDAPListener> listeners = new ArrayList<>();
    private volatile LDAPListener plainListener;
    private volatile LDAPListener tlsListener;

    void onStart(@Observes StartupEvent event) {
        if (!settings.enabled()) {
            return;
        }
        try {
            start();
        } catch (Exception e) {
            throw new IllegalStateException("The LDAP service could not start: " + e.getMessage()
                    + " (roster.ldap.*; docs/ldap.md)", e);
        }
        if (settings.seedServiceAccount() && !services.any()) {
            ServiceAccounts.Created created = services.create("dev-reader", "made by the local default at its first start",
                    ServiceAccounts.Right.READ_ONLY, dev.roster.access.Operator.system());
            Log.warnf("""

                    ================================================================
                     Roster created the LDAP service account dev-reader (read-only):
                       DN:     %s
                       secret: %s
                     Shown once. Try:
                       ldapsearch -x -H ldap://127.0.0.1:%d -D '%s' -w '%s' -b '%s' '(uid=anna.*)' uid mail cn
                     More accounts: the LDAP service accounts page (/ldap/service-accounts).
                    ================================================================""",
                    created.account().dn(), created.secret(), port(false), created.account().dn(), created.secret(),
                    tree.base());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        synchronized (listeners) {
            listeners.forEach(l -> l.shutDown(true));
            plainListener = null;
            tlsListener = null;
            listeners.clear();
        }
    }

    private void start() throws Exception {
        SSLContext tls = tlsContext();
        tree = new LdapTree(settings.baseDn(), tls != null);
        search = new LdapSearch(tree, settings, jdbc);
        InetAddress host = InetAddress.getByName(settings.host());
        LdapRequestHandler handler = new LdapRequestHandler(this, null);
        synchronized (listeners) {
            if (settings.port() > 0) {
                LDAPListenerRequestHandler plain = tls == null ? handler
                        : new LdapRequestHandler(this, tls.getSocketFactory());
                plainListener = listen(host, settings.port(), plain, null, tls == null ? "ldap" : "ldap (StartTLS)");
                listeners.add(plainListener);
            }
            if (tls != null && settings.ldapsPort() > 0) {
                tlsListener = listen(host, settings.ldapsPort(), handler, tls, "ldaps");
                listeners.add(tlsListener);
            }
        }
    }

    private LDAPListener listen(InetAddress host, int port, LDAPListenerRequestHandler handler, SSLContext tls, String what)
            throws java.io.IOException {
        LDAPListenerConfig config = new LDAPListenerConfig(port, handler);
        config.setListenAddress(host);
        config.setMaxConnections(settings.maxConnections());
        // Before any bind a client may send a message of this size; the SDK's default is 20 MiB (kept across StartTLS,
        // which wraps the same connection's reader with the listener's limit).
        config.setMaxMessageSizeBytes(settings.maxMessageBytes());
        if (tls != null) {
            config.setServerSocketFactory(tls.getServerSocketFactory());
        }
        LDAPListener listener = new LDAPListener(config);
        listener.startListening();
        Log.infof("LDAP (%s) listening on %s:%d, base %s", what, host.getHostAddress(), listener.getListenPort(),
                tree.base());
        return listener;
    }

    private SSLContext tlsContext() throws GeneralSecurityException {
        LdapSettings.Tls t = settings.tls();
        KeyManager km;
        if (t.keystoreFile().isPresent()) {
            char[] pw = t.keystorePassword().orElse("").toCharArray();
            String path = t.keystoreFile().get();
            km = new KeyStoreKeyManager(path, pw, path.endsWith(".jks") ? "JKS" : "PKCS12", null);
        } else if (t.certificateFile().isPresent() && t.keyFile().isPresent()) {
            km = new PEMFileKeyManager(new File(t.certificateFile().get()), new File(t.keyFile().get()));
        } else if (t.certificateFile().isPresent() || t.keyFile().isPresent()) {
            throw new IllegalStateException("roster.ldap.tls.certificate-file and roster.ldap.tls.key-file go together");
        } else {
            return null;
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {km}, null, null);
        return context;
    }

    /** The port the plain (false) or LDAPS (true) listener runs on; -1 when it does not run. */
    public int port(boolean ldaps) {
        LDAPListener l = ldaps ? tlsListener : plainListener;
        return l == null ? -1 : l.getListenPort();
    }

    LdapTree tree() {
        return tree;
    }

    LdapSettings settings() {
        return settings;
    }

    LdapBinds binds() {
        return binds;
    }

    LdapPasswords passwords() {
        return passwords;
    }

    LdapSearch search() {
        return search;
    }

    /** One entry as the principal may see it (for Compare): noSuchObject when it is not there for them. */
    Entry read(LdapPrincipal who, String dn) throws LDAPException {
        List<Entry> found = new ArrayList<>();
        SearchRequestProtocolOp base = new SearchRequestProtocolOp(dn, SearchScope.BASE, DereferencePolicy.NEVER, 1, 0,
                false, Filter.createPresenceFilter("objectClass"), List.of("*", "+"));
        LdapSearch.Done done = search.search(who, base, List.of(), found::add);
        if (found.isEmpty()) {
            throw new LDAPException(done.code() == ResultCode.SUCCESS ? ResultCode.NO_SUCH_OBJECT : done.code(),
                    "No entry " + dn + ".", done.matchedDn(), null);
        }
        return found.get(0);
    }
}
