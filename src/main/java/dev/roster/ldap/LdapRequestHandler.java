package dev.roster.ldap;

import java.net.InetAddress;
import java.net.Socket;
import java.util.List;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.listener.LDAPListenerClientConnection;
import com.unboundid.ldap.listener.LDAPListenerRequestHandler;
import com.unboundid.ldap.protocol.AddRequestProtocolOp;
import com.unboundid.ldap.protocol.AddResponseProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.BindResponseProtocolOp;
import com.unboundid.ldap.protocol.CompareRequestProtocolOp;
import com.unboundid.ldap.protocol.CompareResponseProtocolOp;
import com.unboundid.ldap.protocol.DeleteRequestProtocolOp;
import com.unboundid.ldap.protocol.DeleteResponseProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyDNRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyDNResponseProtocolOp;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyResponseProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.ExtendedRequest;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;

import io.quarkus.logging.Log;

/**
 * One client connection's requests (UnboundID's listener calls one instance per connection, one request at a time):
 * who the connection is bound as, and each operation answered from Roster's tables. Writes (add, modify, delete,
 * modify DN) are refused with unwillingToPerform: changes go through plans. See docs/ldap.md for every result code.
 */
final class LdapRequestHandler extends LDAPListenerRequestHandler {

    /** The longest bind DN and password read (a longer one is refused before any lookup or hashing). */
    static final int MAX_BIND_CHARS = 1024;

    private final LdapService service;
    private final SSLSocketFactory startTls;
    private final LDAPListenerClientConnection connection;
    private volatile LdapPrincipal principal;

    /** startTls: the factory StartTLS upgrades connections with, or null when StartTLS is not offered. */
    LdapRequestHandler(LdapService service, SSLSocketFactory startTls) {
        this(service, startTls, null);
    }

    private LdapRequestHandler(LdapService service, SSLSocketFactory startTls, LDAPListenerClientConnection connection) {
        this.service = service;
        this.startTls = startTls;
        this.connection = connection;
    }

    @Override
    public LDAPListenerRequestHandler newInstance(LDAPListenerClientConnection c) {
        return new LdapRequestHandler(service, startTls, c);
    }

    /**
     * StartTLS (RFC 4511 §4.14), as UnboundID's StartTLSRequestHandler does it, and then the listener's message size
     * limit put back: the SDK's convertToTLS reads the upgraded connection with its 20 MiB default.
     */
    private LDAPMessage startTls(int id) throws LDAPException {
        if (startTls == null || connection.getSocket() instanceof SSLSocket) {
            throw new LDAPException(ResultCode.PROTOCOL_ERROR, "StartTLS is not available on this connection.");
        }
        java.io.OutputStream clear = connection.convertToTLS(startTls, false, false);
        try {
            java.lang.reflect.Field reader = LDAPListenerClientConnection.class.getDeclaredField("asn1Reader");
            reader.setAccessible(true);
            reader.set(connection, new com.unboundid.asn1.ASN1StreamReader(connection.getSocket().getInputStream(),
                    service.settings().maxMessageBytes()));
        } catch (ReflectiveOperationException | java.io.IOException | RuntimeException e) {
            Log.errorf(e, "StartTLS: the message size limit could not be kept; closing the connection");
            closeQuietly();
            return null;
        }
        LDAPMessage done = new LDAPMessage(id, new ExtendedResponseProtocolOp(ResultCode.SUCCESS_INT_VALUE, null, null,
                null, null, null));
        try {
            com.unboundid.asn1.ASN1Buffer buffer = new com.unboundid.asn1.ASN1Buffer();
            done.writeTo(buffer);
            buffer.writeTo(clear);
            clear.flush();
        } catch (java.io.IOException e) {
            closeQuietly();
        }
        // The response went out in cleartext before the handshake; the listener suppresses this copy (convertToTLS
        // asked it to drop the next response).
        return done;
    }

    private void closeQuietly() {
        try {
            connection.close();
        } catch (java.io.IOException e) {
            Log.debugf(e, "LDAP connection close");
        }
    }

    private String ip() {
        Socket s = connection == null ? null : connection.getSocket();
        InetAddress a = s == null ? null : s.getInetAddress();
        return a == null ? null : a.getHostAddress();
    }

    private boolean confidential() {
        Socket s = connection.getSocket();
        return s instanceof SSLSocket || s.getInetAddress().isLoopbackAddress();
    }

    @Override
    public LDAPMessage processBindRequest(int id, BindRequestProtocolOp request, List<Control> controls) {
        principal = null; // a bind starts afresh, whatever its outcome (RFC 4511 §4.2.1)
        try {
            refuseCriticalControls(controls);
            if (request.getCredentialsType() != BindRequestProtocolOp.CRED_TYPE_SIMPLE) {
                throw new LDAPException(ResultCode.AUTH_METHOD_NOT_SUPPORTED, "Only simple binds are supported (SASL "
                        + request.getSASLMechanism() + " is not).");
            }
            String dn = request.getBindDN() == null ? "" : request.getBindDN();
            ASN1OctetString raw = request.getSimplePassword();
            if (dn.length() > MAX_BIND_CHARS || (raw != null && raw.getValueLength() > MAX_BIND_CHARS)) {
                throw new LDAPException(ResultCode.INVALID_CREDENTIALS, "Invalid credentials.");
            }
            String password = raw == null ? "" : raw.stringValue();
            if (password.isEmpty()) {
                if (dn.isEmpty()) {
                    throw new LDAPException(ResultCode.INAPPROPRIATE_AUTHENTICATION, "Anonymous binds are not allowed: "
                            + "bind as a user or a service account (cn=NAME,ou=services," + service.tree().base() + ").");
                }
                throw new LDAPException(ResultCode.UNWILLING_TO_PERFORM, "A bind with a name and no password "
                        + "(unauthenticated bind, RFC 4513 §5.1.2) is refused.");
            }
            if (!confidential() && !service.settings().allowCleartextBinds()) {
                throw new LDAPException(ResultCode.CONFIDENTIALITY_REQUIRED, "Passwords are not accepted over cleartext "
                        + "from another machine: use LDAPS or StartTLS (or set roster.ldap.allow-cleartext-binds).");
            }
            principal = service.binds().bind(service.tree(), dn, password, ip());
            return new LDAPMessage(id, new BindResponseProtocolOp(ResultCode.SUCCESS_INT_VALUE, null, null, null, null));
        } catch (LDAPException e) {
            return new LDAPMessage(id, new BindResponseProtocolOp(e.getResultCode().intValue(), e.getMatchedDN(),
                    e.getDiagnosticMessage(), null, null));
        } catch (RuntimeException e) {
            Log.errorf(e, "LDAP bind failed");
            return new LDAPMessage(id, new BindResponseProtocolOp(ResultCode.OTHER_INT_VALUE, null,
                    "The server could not check the bind; see its log.", null, null));
        }
    }

    @Override
    public LDAPMessage processSearchRequest(int id, SearchRequestProtocolOp request, List<Control> controls) {
        try {
            for (Control c : controls) {
                if (c.isCritical() && !LdapTree.PAGED_RESULTS.equals(c.getOID())) {
                    throw unavailable(c);
                }
            }
            LdapPrincipal who = principal;
            if (who == null && !rootDseRead(request)) {
                throw unauthenticated();
            }
            LdapSearch.Done done = service.search().search(who, request, controls,
                    (Entry e) -> connection.sendSearchResultEntry(id, e));
            return new LDAPMessage(id, new SearchResultDoneProtocolOp(done.code().intValue(), done.matchedDn(),
                    done.message(), null), done.controls());
        } catch (LDAPException e) {
            return new LDAPMessage(id, new SearchResultDoneProtocolOp(e.getResultCode().intValue(), e.getMatchedDN(),
                    e.getDiagnosticMessage(), null));
        } catch (RuntimeException e) {
            LDAPException cause = ldapCause(e);
            if (cause != null) {
                return new LDAPMessage(id, new SearchResultDoneProtocolOp(cause.getResultCode().intValue(),
                        cause.getMatchedDN(), cause.getDiagnosticMessage(), null));
            }
            Log.errorf(e, "LDAP search failed: %s", request.getFilter());
            return new LDAPMessage(id, new SearchResultDoneProtocolOp(ResultCode.OTHER_INT_VALUE, null,
                    "The search failed; see the server's log.", null));
        }
    }

    /** The rootDSE may be read before a bind (clients discover StartTLS and controls there), nothing else. */
    private static boolean rootDseRead(SearchRequestProtocolOp request) {
        return request.getScope() == SearchScope.BASE && (request.getBaseDN() == null || request.getBaseDN().isEmpty());
    }

    @Override
    public LDAPMessage processCompareRequest(int id, CompareRequestProtocolOp request, List<Control> controls) {
        try {
            refuseCriticalControls(controls);
            if (principal == null) {
                throw unauthenticated();
            }
            Entry entry = service.read(principal, request.getDN());
            ResultCode code = entry.hasAttributeValue(request.getAttributeName(), request.getAssertionValue().stringValue(),
                    com.unboundid.ldap.matchingrules.CaseIgnoreStringMatchingRule.getInstance())
                    ? ResultCode.COMPARE_TRUE : ResultCode.COMPARE_FALSE;
            return new LDAPMessage(id, new CompareResponseProtocolOp(code.intValue(), null, null, null));
        } catch (LDAPException e) {
            return new LDAPMessage(id, new CompareResponseProtocolOp(e.getResultCode().intValue(), e.getMatchedDN(),
                    e.getDiagnosticMessage(), null));
        } catch (RuntimeException e) {
            Log.errorf(e, "LDAP compare failed");
            return new LDAPMessage(id, new CompareResponseProtocolOp(ResultCode.OTHER_INT_VALUE, null,
                    "The compare failed; see the server's log.", null));
        }
    }

    @Override
    public LDAPMessage processExtendedRequest(int id, ExtendedRequestProtocolOp request, List<Control> controls) {
        String oid = request.getOID();
        try {
            refuseCriticalControls(controls);
            if (LdapTree.START_TLS.equals(oid)) {
                return startTls(id);
            }
            if (LdapTree.WHO_AM_I.equals(oid)) {
                // RFC 4532: the authorization identity, empty for an anonymous connection.
                String authz = principal == null ? "" : "dn:" + principal.dn();
                return new LDAPMessage(id, new ExtendedResponseProtocolOp(ResultCode.SUCCESS_INT_VALUE, null, null, null,
                        null, new ASN1OctetString(authz)));
            }
            if (LdapTree.PASSWORD_MODIFY.equals(oid)) {
                if (!confidential() && !service.settings().allowCleartextBinds()) {
                    throw new LDAPException(ResultCode.CONFIDENTIALITY_REQUIRED, "Passwords are not accepted over cleartext "
                            + "from another machine: use LDAPS or StartTLS.");
                }
                service.passwords().modify(service.tree(), principal, new ExtendedRequest(oid, request.getValue()), ip());
                return new LDAPMessage(id, new ExtendedResponseProtocolOp(ResultCode.SUCCESS_INT_VALUE, null, null, null,
                        null, null));
            }
            throw new LDAPException(ResultCode.PROTOCOL_ERROR, "Extended operation " + oid + " is not supported.");
        } catch (LDAPException e) {
            return new LDAPMessage(id, new ExtendedResponseProtocolOp(e.getResultCode().intValue(), e.getMatchedDN(),
                    e.getDiagnosticMessage(), null, null, null));
        } catch (RuntimeException e) {
            Log.errorf(e, "LDAP extended operation %s failed", oid);
            return new LDAPMessage(id, new ExtendedResponseProtocolOp(ResultCode.OTHER_INT_VALUE, null,
                    "The operation failed; see the server's log.", null, null, null));
        }
    }

    private static final String READ_ONLY = "Roster's directory is read-only over LDAP: changes go through a plan "
            + "(a CSV batch, SCIM or a sync source) so they are previewed, confirmed and audited.";

    @Override
    public LDAPMessage processAddRequest(int id, AddRequestProtocolOp request, List<Control> controls) {
        return new LDAPMessage(id, new AddResponseProtocolOp(refusedWrite(), null, READ_ONLY, null));
    }

    @Override
    public LDAPMessage processDeleteRequest(int id, DeleteRequestProtocolOp request, List<Control> controls) {
        return new LDAPMessage(id, new DeleteResponseProtocolOp(refusedWrite(), null, READ_ONLY, null));
    }

    @Override
    public LDAPMessage processModifyRequest(int id, ModifyRequestProtocolOp request, List<Control> controls) {
        return new LDAPMessage(id, new ModifyResponseProtocolOp(refusedWrite(), null, READ_ONLY, null));
    }

    @Override
    public LDAPMessage processModifyDNRequest(int id, ModifyDNRequestProtocolOp request, List<Control> controls) {
        return new LDAPMessage(id, new ModifyDNResponseProtocolOp(refusedWrite(), null, READ_ONLY, null));
    }

    private static int refusedWrite() {
        return ResultCode.UNWILLING_TO_PERFORM_INT_VALUE;
    }

    private static void refuseCriticalControls(List<Control> controls) throws LDAPException {
        for (Control c : controls) {
            if (c.isCritical()) {
                throw unavailable(c);
            }
        }
    }

    private static LDAPException unavailable(Control c) {
        return new LDAPException(ResultCode.UNAVAILABLE_CRITICAL_EXTENSION, "Control " + c.getOID()
                + " is not supported here.");
    }

    private LDAPException unauthenticated() {
        return new LDAPException(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, "Bind first: anonymous reads are not allowed "
                + "(bind as a service account, cn=NAME,ou=services," + service.tree().base() + ", or as a user).");
    }

    private static LDAPException ldapCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LDAPException l) {
                return l;
            }
        }
        return null;
    }
}
