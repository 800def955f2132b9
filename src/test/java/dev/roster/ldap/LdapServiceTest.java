package dev.roster.ldap;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.AddRequest;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.DeleteRequest;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyDNRequest;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedResult;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;

import dev.roster.credentials.PasswordHasher;
import dev.roster.support.Batches;
import dev.roster.support.Browser;
import dev.roster.support.LdapLimits;
import dev.roster.support.LdapTestResource;
import dev.roster.support.OwnerSql;
import dev.roster.support.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * The LDAPv3 service (#25) driven by clients nobody here wrote: OpenLDAP's ldapsearch, ldapwhoami and ldappasswd
 * (Debian's ldap-utils) and UnboundID's LDAPConnection. Users come from a CSV file (imported Argon2id and bcrypt hashes,
 * a group, a manager); every refusal is checked with the LDAP result code it answers (docs/ldap.md).
 */
@QuarkusTest
class LdapServiceTest {

    static final String A = Browser.BOOTSTRAP_EMAIL;
    static final String P = Browser.BOOTSTRAP_PASSWORD;
    static final String BASE = LdapTestResource.BASE;
    static final String PW = "correct horse battery ldap";

    /** The users, groups and service accounts every test here reads, made once. */
    record Fixture(String sfx, String group, String ana, String bob, String carl, String dora, String eve, String fay,
            String readerDn, String readerSecret, String managerDn, String managerSecret) {

        String dn(String uid) {
            return "uid=" + uid + ",ou=people," + BASE;
        }

        String groupDn() {
            return "cn=" + group + ",ou=groups," + BASE;
        }
    }

    private static Fixture fixture;

    @Inject
    LdapLimits limits;
    @Inject
    Sql sql;

    static synchronized Fixture fixture() {
        if (fixture != null) {
            return fixture;
        }
        String sfx = Long.toString(System.nanoTime(), 36);
        String group = "ldap-eng-" + sfx;
        given().auth().preemptive().basic(A, P).contentType("application/json").body(Map.of("name", group))
                .post("/api/groups").then().statusCode(201);
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        String bcrypt = OpenBSDBCrypt.generate(PW.toCharArray(), salt, 10);
        String argon = "\"" + PasswordHasher.hash(PW) + "\""; // Argon2 strings carry commas: quoted
        String bobMail = "bob." + sfx + "@ldap.example.org";
        String csv = "email,username,given_name,family_name,title,phone,groups,manager,password_hash,send_invite,employee_number\n"
                + "ana." + sfx + "@ldap.example.org,ana." + sfx + ",Ana,Alvarez,Engineer,+1 555 0100," + group + "," + bobMail
                + "," + argon + ",false,E-" + sfx + "\n"
                + bobMail + ",,Bob,Berg,Lead,," + group + ",," + bcrypt + ",false,\n"
                + "carl." + sfx + "@ldap.example.org,carl." + sfx + ",Carl,Cole,,,,," + argon + ",false,\n"
                + "dora." + sfx + "@ldap.example.org,dora." + sfx + ",Dora,Dahl,,,,," + argon + ",false,\n"
                + "eve." + sfx + "@ldap.example.org,eve." + sfx + ",Eve,Engel,,,,," + argon + ",false,\n"
                + "fay." + sfx + "@ldap.example.org,fay." + sfx + ",Fay,Fink,,,,,,true,\n";
        JsonPath onboard = Batches.uploadAndApply(A, P, csv, "onboard");
        assertEquals("APPLIED", onboard.getString("status"), onboard.prettify());
        JsonPath suspend = Batches.uploadAndApply(A, P, "email,status\ncarl." + sfx + "@ldap.example.org,SUSPENDED\n", "update");
        assertEquals("APPLIED", suspend.getString("status"), suspend.prettify());
        JsonPath delete = Batches.uploadAndApply(A, P, "email\ndora." + sfx + "@ldap.example.org\n", "delete");
        assertEquals("APPLIED", delete.getString("status"), delete.prettify());
        JsonPath reader = serviceAccount("reader-" + sfx, "read-only");
        JsonPath manager = serviceAccount("pm-" + sfx, "password-manager");
        fixture = new Fixture(sfx, group, "ana." + sfx, bobMail, "carl." + sfx, "dora." + sfx, "eve." + sfx, "fay." + sfx,
                reader.getString("dn"), reader.getString("secret"), manager.getString("dn"), manager.getString("secret"));
        return fixture;
    }

    static JsonPath serviceAccount(String name, String right) {
        return given().auth().preemptive().basic(A, P).contentType("application/json")
                .body(Map.of("name", name, "right", right)).post("/api/ldap/service-accounts")
                .then().statusCode(201).extract().jsonPath();
    }

    static LDAPConnection connect() throws LDAPException {
        return new LDAPConnection("127.0.0.1", LdapTestResource.port());
    }

    static LDAPConnection reader() throws LDAPException {
        LDAPConnection c = connect();
        c.bind(fixture().readerDn(), fixture().readerSecret());
        return c;
    }

    static ResultCode bindCode(String dn, String password) {
        try (LDAPConnection c = connect()) {
            return c.bind(dn, password).getResultCode();
        } catch (LDAPException e) {
            return e.getResultCode();
        }
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        return "exit " + p.exitValue() + "\n" + out;
    }

    @Test
    void ldapsearchFindsAUserByUidAsAServiceAccount() throws Exception {
        Fixture f = fixture();
        String out = run("ldapsearch", "-x", "-LLL", "-H", "ldap://127.0.0.1:" + LdapTestResource.port(), "-D", f.readerDn(),
                "-w", f.readerSecret(), "-b", BASE, "(uid=" + f.ana() + ")", "uid", "mail", "cn", "sn", "memberOf", "manager",
                "title", "telephoneNumber", "objectClass");
        assertTrue(out.startsWith("exit 0\n"), out);
        assertTrue(out.contains("dn: " + f.dn(f.ana())), out);
        assertTrue(out.contains("mail: ana." + f.sfx() + "@ldap.example.org"), out);
        assertTrue(out.contains("cn: Ana Alvarez"), out);
        assertTrue(out.contains("sn: Alvarez"), out);
        assertTrue(out.contains("memberOf: " + f.groupDn()), out);
        assertTrue(out.contains("manager: " + f.dn(f.bob())), out);
        assertTrue(out.contains("objectClass: inetOrgPerson"), out);
        assertTrue(out.contains("telephoneNumber: +15550100"), out); // as Roster stores it
    }

    @Test
    void ldapwhoamiAndLdappasswdAsTheUser() throws Exception {
        Fixture f = fixture();
        String url = "ldap://127.0.0.1:" + LdapTestResource.port();
        String who = run("ldapwhoami", "-x", "-H", url, "-D", f.dn(f.bob()), "-w", PW);
        assertTrue(who.contains("dn:" + f.dn(f.bob())), who);
        String fresh = "a brand new bob phrase 42";
        String wrongOld = run("ldappasswd", "-x", "-H", url, "-D", f.dn(f.bob()), "-w", PW, "-a", "not the old one", "-s", fresh);
        assertTrue(wrongOld.contains("Invalid credentials (49)"), wrongOld);
        String weak = run("ldappasswd", "-x", "-H", url, "-D", f.dn(f.bob()), "-w", PW, "-a", PW, "-s", "short");
        assertTrue(weak.contains("Constraint violation (19)"), weak);
        String changed = run("ldappasswd", "-x", "-H", url, "-D", f.dn(f.bob()), "-w", PW, "-a", PW, "-s", fresh);
        assertTrue(changed.startsWith("exit 0\n"), changed);
        assertEquals(ResultCode.SUCCESS, bindCode(f.dn(f.bob()), fresh), "the imported bcrypt hash was replaced");
        assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode(f.dn(f.bob()), PW));
        assertEquals(1L, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.set' AND target_email = ? "
                + "AND details::jsonb ->> 'via' = 'ldap' AND actor_kind = 'user'", f.bob()));
    }

    @Test
    void refusalsAnswerTheirResultCodes() throws Exception {
        Fixture f = fixture();
        LDAPConnectionOptions lenient = new LDAPConnectionOptions();
        lenient.setBindWithDNRequiresPassword(false); // the SDK itself refuses such a bind unless told
        try (LDAPConnection c = new LDAPConnection(lenient, "127.0.0.1", LdapTestResource.port())) {
            LDAPException anonymous = assertThrows(LDAPException.class, () -> c.bind("", ""));
            assertEquals(ResultCode.INAPPROPRIATE_AUTHENTICATION, anonymous.getResultCode(), "anonymous bind");
            LDAPException unauthenticated = assertThrows(LDAPException.class,
                    () -> c.bind(new SimpleBindRequest(f.dn(f.ana()), "")));
            assertEquals(ResultCode.UNWILLING_TO_PERFORM, unauthenticated.getResultCode(), "name without password");
            LDAPSearchException search = assertThrows(LDAPSearchException.class,
                    () -> c.search(BASE, SearchScope.SUB, "(uid=" + f.ana() + ")"));
            assertEquals(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, search.getResultCode(), "search without a bind");
            // The rootDSE is readable before a bind (clients discover StartTLS and the controls there).
            assertTrue(c.getRootDSE().supportsControl("1.2.840.113556.1.4.319"));
        }
        assertEquals(ResultCode.SUCCESS, bindCode(f.dn(f.ana()), PW), "the imported Argon2id hash");
        assertEquals(ResultCode.SUCCESS, bindCode(f.dn(f.ana().toUpperCase()), PW), "uid compares case-insensitively");
        assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode(f.dn(f.ana()), "wrong password 123"));
        assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode(f.dn(f.carl()), PW), "suspended");
        assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode(f.dn(f.dora()), PW), "deleted");
        assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode(f.dn("nobody-" + f.sfx()), PW), "unknown");
        assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode(f.readerDn(), "rsl_wrong"), "wrong service secret");
        try (LDAPConnection c = reader()) {
            assertEquals(0, c.search(BASE, SearchScope.SUB, "(|(uid=" + f.carl() + ")(uid=" + f.dora() + "))").getEntryCount(),
                    "suspended and deleted users are not returned");
            assertEquals(ResultCode.UNWILLING_TO_PERFORM, code(() -> c.add(new AddRequest("uid=new," + "ou=people," + BASE,
                    new Attribute("objectClass", "person"), new Attribute("uid", "new")))), "add");
            assertEquals(ResultCode.UNWILLING_TO_PERFORM, code(() -> c.modify(new ModifyRequest(f.dn(f.ana()),
                    new Modification(ModificationType.REPLACE, "title", "CTO")))), "modify");
            assertEquals(ResultCode.UNWILLING_TO_PERFORM, code(() -> c.delete(new DeleteRequest(f.dn(f.ana())))), "delete");
            assertEquals(ResultCode.UNWILLING_TO_PERFORM, code(() -> c.modifyDN(new ModifyDNRequest(f.dn(f.ana()),
                    "uid=renamed", true))), "modify DN");
            assertEquals(ResultCode.NO_SUCH_OBJECT, code(() -> c.search("ou=elsewhere," + BASE, SearchScope.SUB, "(uid=*)")));
            // Password Modify by a read-only account: not allowed.
            assertEquals(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, code(() -> c.processExtendedOperation(
                    new PasswordModifyExtendedRequest(f.dn(f.ana()), null, "another long passphrase 7"))), "read-only reset");
        }
        // A too-broad filter on a large directory (the guard's threshold lowered below the table's analysed size).
        OwnerSql.update("ANALYZE directory_user");
        limits.unindexedFilterMaxRows(0L);
        try (LDAPConnection c = reader()) {
            assertEquals(ResultCode.ADMIN_LIMIT_EXCEEDED, code(() -> c.search(BASE, SearchScope.SUB, "(sn=*lvar*)")));
            assertEquals(ResultCode.ADMIN_LIMIT_EXCEEDED, code(() -> c.search(BASE, SearchScope.SUB, "(!(uid=" + f.ana() + "))")));
            // Index-served, and everything (keyset pages): still answered.
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(&(sn=*lvar*)(uid=" + f.ana() + "))").getEntryCount());
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(&(objectClass=person)(mail=ANA." + f.sfx()
                    + "@LDAP.example.org))").getEntryCount());
        } finally {
            limits.unindexedFilterMaxRows(null);
        }
        // Cleartext from another machine (this machine's own non-loopback address stands in for it).
        Optional<InetAddress> remote = LdapTestResource.remoteAddress();
        Assumptions.assumeTrue(remote.isPresent(), "no non-loopback address to connect from");
        try (LDAPConnection c = new LDAPConnection(remote.get().getHostAddress(), LdapTestResource.port())) {
            LDAPException cleartext = assertThrows(LDAPException.class, () -> c.bind(f.dn(f.ana()), PW));
            assertEquals(ResultCode.CONFIDENTIALITY_REQUIRED, cleartext.getResultCode(), "cleartext from afar");
            c.processExtendedOperation(new StartTLSExtendedRequest(new SSLUtil(new TrustAllTrustManager()).createSSLContext()));
            assertEquals(ResultCode.SUCCESS, c.bind(f.dn(f.ana()), PW).getResultCode(), "the same bind after StartTLS");
        }
    }

    interface Call {
        Object run() throws LDAPException;
    }

    static ResultCode code(Call call) {
        try {
            Object r = call.run();
            return r instanceof SearchResult s ? s.getResultCode()
                    : r instanceof ExtendedResult e ? e.getResultCode()
                    : r instanceof com.unboundid.ldap.sdk.LDAPResult l ? l.getResultCode() : ResultCode.SUCCESS;
        } catch (LDAPException e) {
            return e.getResultCode();
        }
    }

    @Test
    void oversizedAndMalformedRequestsAreRefusedCheaply() throws Exception {
        Fixture f = fixture();
        assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode("uid=" + "x".repeat(2000) + ",ou=people," + BASE, PW),
                "a bind DN over 1 KiB");
        assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode(f.dn(f.ana()), "p".repeat(2000)), "a password over 1 KiB");
        try (LDAPConnection c = reader()) {
            StringBuilder wide = new StringBuilder("(|");
            for (int i = 0; i < 300; i++) {
                wide.append("(uid=u").append(i).append(')');
            }
            assertEquals(ResultCode.ADMIN_LIMIT_EXCEEDED, code(() -> c.search(BASE, SearchScope.SUB, wide + ")")),
                    "300 components");
            String deep = "(!".repeat(20) + "(uid=x)" + ")".repeat(20);
            assertEquals(ResultCode.ADMIN_LIMIT_EXCEEDED, code(() -> c.search(BASE, SearchScope.SUB, deep)), "20 deep");
            SearchRequest negative = new SearchRequest("ou=people," + BASE, SearchScope.ONE, "(objectClass=person)", "uid");
            negative.setControls(new SimplePagedResultsControl(-1, null));
            assertEquals(ResultCode.PROTOCOL_ERROR, code(() -> c.search(negative)), "a negative page size");
            SearchRequest tampered = new SearchRequest("ou=people," + BASE, SearchScope.SUB, "(objectClass=*)", "uid");
            tampered.setControls(new SimplePagedResultsControl(5, new ASN1OctetString("r1:0:-3:")));
            assertEquals(ResultCode.UNWILLING_TO_PERFORM, code(() -> c.search(tampered)), "a cookie with a negative index");
        }
        String huge = "(uid=" + "h".repeat(200_000) + ")";
        try (LDAPConnection c = connect()) {
            assertEquals(ResultCode.SERVER_DOWN, code(() -> c.search(BASE, SearchScope.BASE, huge)),
                    "a message over 128 KiB closes the connection before any bind");
        }
        try (LDAPConnection c = connect()) {
            c.processExtendedOperation(new StartTLSExtendedRequest(new SSLUtil(new TrustAllTrustManager()).createSSLContext()));
            assertEquals(ResultCode.SUCCESS, code(() -> c.search("", SearchScope.BASE, "(objectClass=*)")), "TLS works");
            assertEquals(ResultCode.SERVER_DOWN, code(() -> c.search(BASE, SearchScope.BASE, huge)),
                    "and the limit holds after StartTLS");
        }
    }

    @Test
    void ldapsAnswersWithTheConfiguredCertificate() throws Exception {
        Fixture f = fixture();
        SSLUtil ssl = new SSLUtil(new TrustAllTrustManager());
        try (LDAPConnection c = new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", LdapTestResource.ldapsPort())) {
            BindResult bound = c.bind(f.dn(f.ana()), PW);
            assertEquals(ResultCode.SUCCESS, bound.getResultCode());
            WhoAmIExtendedResult who = (WhoAmIExtendedResult) c.processExtendedOperation(new WhoAmIExtendedRequest());
            assertEquals("dn:" + f.dn(f.ana()), who.getAuthorizationID());
            // A user sees their own entry, not others'.
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(objectClass=person)").getEntryCount());
            assertEquals(ResultCode.NO_SUCH_OBJECT, code(() -> c.search(f.dn(f.bob()), SearchScope.BASE, "(objectClass=*)")));
        }
    }

    @Test
    void filtersScopesAttributesAndCompare() throws Exception {
        Fixture f = fixture();
        try (LDAPConnection c = reader()) {
            assertEquals(2, c.search(BASE, SearchScope.SUB, "(&(objectClass=inetOrgPerson)(|(uid=" + f.ana() + ")(mail="
                    + f.bob().toUpperCase() + ")))").getEntryCount(), "and, or, equality; mail case-insensitive");
            assertEquals(2, c.search("ou=people," + BASE, SearchScope.ONE, "(memberOf=" + f.groupDn() + ")").getEntryCount());
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(&(memberOf=" + f.groupDn().toUpperCase() + ")(!(uid="
                    + f.ana() + ")))").getEntryCount(), "not; DN values compare case-insensitively");
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(&(memberOf=" + f.groupDn() + ")(cn=an*ez))").getEntryCount(),
                    "substrings");
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(&(memberOf=" + f.groupDn() + ")(title>=F)(title<=Lz))")
                    .getEntryCount(), "ordering: Lead, not Engineer");
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(&(memberOf=" + f.groupDn() + ")(manager=*))").getEntryCount(),
                    "presence");
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(manager=" + f.dn(f.bob()) + ")").getEntryCount());
            assertEquals(0, c.search(BASE, SearchScope.SUB, "(&(uid=" + f.ana() + ")(objectClass=groupOfNames))")
                    .getEntryCount());
            assertEquals(0, c.search(BASE, SearchScope.SUB, "(&(uid=" + f.ana() + ")(unknownAttribute=x))").getEntryCount(),
                    "an unknown attribute is Undefined");

            SearchResultEntry group = c.getEntry(f.groupDn(), "*", "+");
            assertNotNull(group);
            assertEquals(Set.of(f.dn(f.ana()).toLowerCase(), f.dn(f.bob()).toLowerCase()), lower(group.getAttributeValues("member")));
            assertEquals(2, group.getAttributeValues("uniqueMember").length);
            assertNotNull(group.getAttributeValue("entryUUID"), "+ returns operational attributes");
            assertTrue(group.hasObjectClass("groupOfUniqueNames") && group.hasObjectClass("groupOfNames"));
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(&(objectClass=groupOfUniqueNames)(uniqueMember="
                    + f.dn(f.ana()) + "))").getEntryCount(), "the groups of a member (Authelia's and Keycloak's question)");

            SearchResultEntry ana = c.getEntry(f.dn(f.ana()));
            assertNull(ana.getAttribute("entryUUID"), "operational attributes only when asked for");
            // the employee_number column (V27) a CSV, SCIM or the demo data writes
            assertEquals("E-" + f.sfx(), ana.getAttributeValue("employeeNumber"));
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(employeeNumber=e-" + f.sfx() + ")").getEntryCount());
            assertNotNull(c.getEntry(f.dn(f.ana()), "entryUUID").getAttributeValue("entryUUID"));
            SearchResultEntry none = c.searchForEntry(f.dn(f.ana()), SearchScope.BASE, "(objectClass=*)", "1.1");
            assertEquals(0, none.getAttributes().size(), "1.1: no attributes");
            String uuid = c.getEntry(f.dn(f.ana()), "entryUUID").getAttributeValue("entryUUID");
            assertEquals(1, c.search(BASE, SearchScope.SUB, "(entryUUID=" + uuid + ")").getEntryCount());

            assertEquals(4, c.search(BASE, SearchScope.ONE, "(objectClass=*)").getEntryCount() + 1,
                    "one level under the base: people, groups, services");
            assertEquals(ResultCode.COMPARE_TRUE, c.compare(f.dn(f.ana()), "mail", "ANA." + f.sfx() + "@ldap.example.org")
                    .getResultCode());
            assertEquals(ResultCode.COMPARE_FALSE, c.compare(f.dn(f.ana()), "title", "CEO").getResultCode());
            assertNotNull(c.getEntry("cn=schema", "objectClasses"));
        }
    }

    private static Set<String> lower(String[] values) {
        Set<String> out = new HashSet<>();
        for (String v : values) {
            out.add(v.toLowerCase());
        }
        return out;
    }

    @Test
    void pagedResultsAndSizeLimits() throws Exception {
        fixture();
        long visible = sql.count("SELECT count(*) FROM directory_user WHERE status IN ('INVITED', 'ACTIVE')");
        try (LDAPConnection c = reader()) {
            List<String> dns = new ArrayList<>();
            ASN1OctetString cookie = null;
            int pages = 0;
            do {
                SearchRequest r = new SearchRequest("ou=people," + BASE, SearchScope.ONE, "(objectClass=person)", "uid");
                r.setControls(new SimplePagedResultsControl(50, cookie));
                SearchResult page = c.search(r);
                assertTrue(page.getEntryCount() <= 50);
                page.getSearchEntries().forEach(e -> dns.add(e.getDN()));
                cookie = SimplePagedResultsControl.get(page).getCookie();
                pages++;
            } while (cookie != null && cookie.getValueLength() > 0);
            assertEquals(visible, dns.size(), "every visible user, once, in " + pages + " pages");
            assertEquals(dns.size(), new HashSet<>(dns).size());

            limits.maxResults(2);
            try {
                assertEquals(ResultCode.SIZE_LIMIT_EXCEEDED, code(() -> c.search("ou=people," + BASE, SearchScope.ONE,
                        "(objectClass=person)")));
            } finally {
                limits.maxResults(null);
            }
        }
    }

    @Test
    void aPasswordManagerResetsAnInvitedUsersPasswordAndTheirLinkEnds() throws Exception {
        Fixture f = fixture();
        UUID fay = (UUID) sql.rows("SELECT id FROM directory_user WHERE username = ?", f.fay()).get(0).get("id");
        assertEquals(1L, sql.count("SELECT count(*) FROM password_token WHERE user_id = ? AND used_at IS NULL "
                + "AND voided_at IS NULL", fay), "the invitation link is open");
        try (LDAPConnection c = connect()) {
            c.bind(f.managerDn(), f.managerSecret());
            assertEquals(ResultCode.CONSTRAINT_VIOLATION, code(() -> c.processExtendedOperation(
                    new PasswordModifyExtendedRequest(f.dn(f.fay()), null, "fay"))), "the password policy");
            assertEquals(ResultCode.SUCCESS, code(() -> c.processExtendedOperation(
                    new PasswordModifyExtendedRequest(f.dn(f.fay()), null, "fay's fresh phrase 2026"))));
        }
        assertEquals(ResultCode.SUCCESS, bindCode(f.dn(f.fay()), "fay's fresh phrase 2026"));
        assertEquals(0L, sql.count("SELECT count(*) FROM password_token WHERE user_id = ? AND used_at IS NULL "
                + "AND voided_at IS NULL", fay), "the invitation link ended");
        assertEquals("ACTIVE", sql.rows("SELECT status FROM directory_user WHERE id = ?", fay).get(0).get("status"));
        assertEquals(1L, sql.count("SELECT count(*) FROM audit_event WHERE action = 'password.set' AND target_user_id = ? "
                + "AND actor_kind = 'service' AND actor_name = ?", fay, "LDAP service pm-" + f.sfx()));
    }

    @Test
    void failedBindsLockTheUserUntilAnAdminUnlocks() throws Exception {
        Fixture f = fixture();
        String dn = f.dn(f.eve());
        for (int i = 0; i < 3; i++) {
            assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode(dn, "wrong guess " + i));
        }
        UUID eve = (UUID) sql.rows("SELECT id FROM directory_user WHERE username = ?", f.eve()).get(0).get("id");
        assertEquals(1L, sql.count("SELECT count(*) FROM audit_event WHERE action = 'ldap.account-locked' AND target_user_id = ?",
                eve));
        assertEquals(1L, sql.count("SELECT count(*) FROM audit_event WHERE action = 'ldap.bind-failed' "
                + "AND details::jsonb ->> 'dn' = ?", dn.toLowerCase()), "three failures, one event until the window closes");
        Thread.sleep(2_100); // past the sign-in slow-down's first wait
        assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode(dn, PW), "locked: even the right password is refused");

        Browser admin = Browser.admin();
        String page = admin.get("/users/" + eve).then().statusCode(200).extract().asString();
        assertTrue(page.contains("<strong>locked</strong>"), page);
        admin.postForm("/users/" + eve + "/ldap-unlock", Map.of()).then().statusCode(303);
        assertEquals(1L, sql.count("SELECT count(*) FROM audit_event WHERE action = 'ldap.account-unlocked' "
                + "AND target_user_id = ?", eve));
        assertFalse(admin.get("/users/" + eve).then().statusCode(200).extract().asString().contains("<strong>locked</strong>"));
        Thread.sleep(2_100);
        assertEquals(ResultCode.SUCCESS, bindCode(dn, PW), "unlocked");
    }

    @Test
    void serviceAccountsAreListedRevokedAndAudited() throws Exception {
        Fixture f = fixture();
        JsonPath temp = serviceAccount("temp-" + f.sfx(), "read-only");
        assertEquals("cn=temp-" + f.sfx() + ",ou=services," + BASE, temp.getString("dn"));
        assertEquals(ResultCode.SUCCESS, bindCode(temp.getString("dn"), temp.getString("secret")));
        JsonPath listed = given().auth().preemptive().basic(A, P).get("/api/ldap/service-accounts").then().statusCode(200)
                .extract().jsonPath();
        assertTrue(listed.getList("findAll { it.name == 'temp-" + f.sfx() + "' }.lastBindAt").get(0) != null, "last use shown");
        assertNull(listed.getList("secret").stream().filter(s -> s != null).findAny().orElse(null), "never a secret in a list");
        given().auth().preemptive().basic(A, P).header("X-Roster-Client", "test").delete("/api/ldap/service-accounts/" + temp.getString("id")).then().statusCode(200);
        assertEquals(ResultCode.INVALID_CREDENTIALS, bindCode(temp.getString("dn"), temp.getString("secret")), "revoked");
        assertEquals(1L, sql.count("SELECT count(*) FROM audit_event WHERE action = 'ldap.service-created' "
                + "AND details::jsonb ->> 'name' = ?", "temp-" + f.sfx()));
        assertEquals(1L, sql.count("SELECT count(*) FROM audit_event WHERE action = 'ldap.service-revoked' "
                + "AND details::jsonb ->> 'name' = ?", "temp-" + f.sfx()));
        String page = Browser.admin().get("/ldap/service-accounts").then().statusCode(200).extract().asString();
        assertTrue(page.contains("temp-" + f.sfx()) && page.contains("revoked"), page);
    }
}
